"""Outlet colours: one well-separated, stable hue per outlet."""

from storyline import contract
from storyline.render import html
from storyline.render import palette as pal
from storyline.render.report import render_html
from storyline.render.svg import timeline_svg
from storyline.store import Store


def _gap(a: int, b: int) -> int:
    return min(abs(a - b), 360 - abs(a - b))


def test_outlet_hues_are_distinct_spread_and_stable_as_outlets_are_added():
    names = [f"Outlet {i}" for i in range(60)]
    hues = pal.outlet_hues(names)
    assert len(set(hues.values())) == 60
    first5 = [hues[n] for n in names[:5]]
    assert min(_gap(a, b) for i, a in enumerate(first5) for b in first5[i + 1:]) >= 45
    assert pal.outlet_hues(names[:10]) == {n: hues[n] for n in names[:10]}  # adding outlets changes none


def test_hue_reads_the_palette_it_is_given_else_a_stable_hash():
    fallback = pal.hue("Xinhua")
    assert fallback == pal.hue("Xinhua") and 0 <= fallback < 360
    assert pal.hue("Xinhua", {"Xinhua": 17}) == 17
    assert pal.hue("Report", {"Xinhua": 17}) == pal.hue("Report")  # not in the palette: the hash
    assert pal.hue_class("Xinhua", {"Xinhua": 17}) == "h-17" and pal.hue_class(None) == "h-none"
    assert ".h-17{--h:17}" in pal.hues_css()


def test_one_palette_per_render_call():
    """Two pages rendered with different palettes do not colour each other (nothing is held between)."""
    events = [{"id": "e1", "date": "2022-01-10", "end": None, "granularity": "day", "summary": "Talks",
               "sources": ["TASS", "Xinhua"], "section": "story"}]
    one = html.render("report.html", {"TASS": 1}, data={"documents": [], "stories": [], "generated": ""}, docs={})
    assert "<svg" not in one
    a, b = timeline_svg(events, {"TASS": 11}), timeline_svg(events, {"TASS": 22})
    assert "h-11" in a and "h-22" in b and "h-11" not in b
    assert f"h-{pal.hue('Xinhua')}" in a  # an outlet outside the palette: its hash


def test_report_uses_the_palette_it_is_given(seed_db):
    with Store(seed_db) as store:
        data = contract.build(store)
        palette = pal.outlet_hues(store.outlet_order())
    assert {"TASS", "Xinhua", "Report"} <= set(palette)
    html = render_html(data, {**palette, "TASS": 123})
    assert 'class="badge h-123">TASS<' in html
    assert f'class="badge h-{palette["Xinhua"]}">Xinhua<' in html
    assert ".h-123{--h:123}" in html  # the report is self-contained: it carries its colour classes
    assert 'class="axis-svg"' in html and 'class="src-dot exact h-123"' in html  # the web UI's picture
    own = render_html(data)  # without a palette: the report's own outlets, in document order
    outlets = list(dict.fromkeys(d["outlet"] for d in data["documents"] if d["outlet"]))
    for name, h in pal.outlet_hues(outlets).items():
        assert f'class="badge h-{h}">{name}<' in own or f">{name}<" not in own, name
