"""The self-contained HTML report of the JSON contract (``storyline analyze --html``, ``storyline export``)."""

from __future__ import annotations

from pathlib import Path

from .html import render
from .palette import Palette, outlet_hues


def render_html(data: dict, hues: Palette | None = None) -> str:
    """The report; ``hues`` from ``outlet_hues(store.outlet_order())`` gives the web UI's colours."""
    docs = {d["id"]: d for d in data["documents"]}
    if hues is None:  # the outlets of this report, in the order its documents are listed
        hues = outlet_hues(list(dict.fromkeys(d["outlet"] for d in data["documents"] if d["outlet"])))
    return render("report.html", hues, data=data, docs=docs)


def write_html(data: dict, path: str | Path, hues: Palette | None = None) -> None:
    Path(path).write_text(render_html(data, hues), encoding="utf-8")
