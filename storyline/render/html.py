"""The one Jinja environment, for the web UI's pages and the self-contained HTML report.

Everything from articles is untrusted: autoescaping is on for every template, links are only ever http(s)
(``safe_url``), and outlet colours are classes (``hue``), never inline styles. The outlet palette is passed
to ``render`` with the rest of a page's values: the ``hue`` filter and the ``axis`` picture read it from
there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from ..contract import SECTION_TITLES, reading_order, sections
from .palette import Palette, hue_class, hues_css
from .svg import timeline_svg
from .terminal import when


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links: ``javascript:`` and ``data:`` in an article's metadata stay text."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def by_speaker(quotes: list[dict]) -> list[tuple[str, list[dict]]]:
    """Quotes grouped by speaker, most quoted first; unattributed ones last."""
    groups: dict[str, list[dict]] = {}
    for q in quotes:
        groups.setdefault(q["speaker"] or "", []).append(q)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] == "", -len(kv[1]), kv[0]))
    return [(name or "(speaker unknown)", qs) for name, qs in ordered]


@pass_context
def _hue(context: Context, name: str | None) -> str:
    """``{{ outlet|hue }}``: the outlet's colour class in the palette the page is rendered with."""
    return hue_class(name, context.get("hues"))


@pass_context
def _axis(context: Context, timeline: list[dict]) -> Markup:
    """``{{ axis(events) }}``: the timeline picture, in the page's palette."""
    return timeline_svg(timeline, context.get("hues"))


env = Environment(loader=PackageLoader("storyline", "templates"), autoescape=select_autoescape(default=True))
env.filters.update({
    "hue": _hue,
    "when": when,
    "sections": sections,
    "reading_order": reading_order,
    "by_speaker": by_speaker,
    "safe_url": safe_url,
    # A document's id may be anything, a URL with "/", "?" and "#" included: its link encodes it whole.
    "path": lambda value: quote(str(value), safe=""),
    "qs": lambda params: urlencode({k: v for k, v in params.items() if v not in (None, "")}),
})
env.globals.update({"section_titles": SECTION_TITLES, "axis": _axis, "hues_css": hues_css})


def render(template: str, hues: Palette | None = None, **context: Any) -> str:
    """A template rendered with the outlet palette ``hues`` (None: every outlet by the hash of its name)."""
    return env.get_template(template).render(hues=hues, **context)
