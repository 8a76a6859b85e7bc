"""The self-contained HTML report of the JSON contract (``storyline analyze --html``, ``storyline export``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import escape

from ..contract import SECTION_TITLES, sections, story_section
from .palette import colours, hue, outlet_hues
from .terminal import when


def timeline_svg(story: dict, width: int = 940, height: int = 90) -> str:
    """The story section of the timeline as a picture: events on a date axis, dot size = number of sources
    (background and expected events would stretch the axis over decades)."""
    events = story_section(story["timeline"])
    if not events:
        return ""
    days = [date.fromisoformat(e["date"]).toordinal() for e in events]
    lo, hi = min(days), max(days)
    span = max(hi - lo, 1)
    pad = 30

    def x(day: int) -> float:
        return pad + (day - lo) / span * (width - 2 * pad)

    parts = [f'<svg class="axis" viewBox="0 0 {width} {height}" role="img" aria-label="timeline">',
             f'<line x1="{pad}" y1="45" x2="{width - pad}" y2="45" stroke="#8892a6"/>']
    for e, day in zip(events, days, strict=True):
        r = 4 + 3 * min(len(e["sources"]), 5)
        fill = "#1d2330" if e["granularity"] == "day" else "none"
        title = escape(f'{e["date"]}: {e["summary"]} ({", ".join(e["sources"])})')
        parts.append(f'<circle cx="{x(day):.1f}" cy="45" r="{r}" fill="{fill}" fill-opacity="0.6" '
                     f'stroke="#1d2330"><title>{title}</title></circle>')
    for day in sorted({lo, hi}):
        label = date.fromordinal(day).isoformat()
        anchor = "start" if day == lo else "end"
        parts.append(f'<text x="{x(day):.1f}" y="82" text-anchor="{anchor}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def by_speaker(quotes: list[dict]) -> list[tuple[str, list[dict]]]:
    """Quotes grouped by speaker, most quoted first; unattributed ones last."""
    groups: dict[str, list[dict]] = {}
    for q in quotes:
        groups.setdefault(q["speaker"] or "", []).append(q)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0]))
    return [(name or "(speaker unknown)", qs) for name, qs in ordered]


_env = Environment(loader=PackageLoader("storyline", "templates"), autoescape=select_autoescape(default=True))
_env.filters["hue"] = hue
_env.filters["when"] = when
_env.globals["axis"] = timeline_svg
_env.filters["by_speaker"] = by_speaker
_env.filters["sections"] = sections
_env.globals["section_titles"] = SECTION_TITLES


def render_html(data: dict, hues: Mapping[str, int] | None = None) -> str:
    """The report; ``hues`` from ``outlet_hues(store.outlet_order())`` gives the web UI's colours."""
    docs = {d["id"]: d for d in data["documents"]}
    if hues is None:  # the outlets of this report, in the order its documents are listed
        hues = outlet_hues(list(dict.fromkeys(d["outlet"] for d in data["documents"] if d["outlet"])))
    with colours(hues):
        return _env.get_template("report.html").render(data=data, docs=docs)


def write_html(data: dict, path: str | Path, hues: Mapping[str, int] | None = None) -> None:
    Path(path).write_text(render_html(data, hues), encoding="utf-8")
