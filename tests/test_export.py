"""Outlet colours: one well-separated, stable hue per outlet."""

from storyline import contract
from storyline.render import palette as pal
from storyline.render.report import render_html
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


def test_hue_reads_the_palette_being_rendered_with_else_a_stable_hash():
    fallback = pal.hue("Xinhua")
    assert fallback == pal.hue("Xinhua") and 0 <= fallback < 360
    with pal.colours({"Xinhua": 17}):
        assert pal.hue("Xinhua") == 17
        assert pal.hue("Report") == pal.hue("Report")  # not in the palette: the hash
        with pal.colours(None):
            assert pal.hue("Xinhua") == fallback
        assert pal.hue("Xinhua") == 17
    assert pal.hue("Xinhua") == fallback


def test_report_uses_the_palette_it_is_given(seed_db):
    with Store(seed_db) as store:
        data = contract.build(store)
        palette = pal.outlet_hues(store.outlet_order())
    assert {"TASS", "Xinhua", "Report"} <= set(palette)
    html = render_html(data, {**palette, "TASS": 123})
    assert '--h: 123">TASS<' in html
    assert f'--h: {palette["Xinhua"]}">Xinhua<' in html
    own = render_html(data)  # without a palette: the report's own outlets, in document order
    outlets = list(dict.fromkeys(d["outlet"] for d in data["documents"] if d["outlet"]))
    for name, h in pal.outlet_hues(outlets).items():
        assert f'--h: {h}">{name}<' in own or f">{name}<" not in own, name
