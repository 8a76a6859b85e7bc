"""The newsroom workbench in Debian's Chromium: every page fits a 390 px phone, text on outlet colours meets
WCAG AA in light and dark mode, the timeline is keyboard-navigable, and corrections work from the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from conftest import LiveServer

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(seed_db, tmp_path_factory) -> Iterator[LiveServer]:  # noqa: ANN001
    """A writable copy of the seed database: these tests make and undo corrections."""
    from conftest import copy_db

    db = copy_db(seed_db, tmp_path_factory.mktemp("workbench") / "wb.db")
    with LiveServer(db) as live:
        yield live


def pages(url: str) -> list[str]:
    story = httpx.get(f"{url}/api/stories").json()["items"][0]["id"]
    doc = httpx.get(f"{url}/api/documents").json()["items"][0]["id"]
    entity = httpx.get(f"{url}/api/entities").json()["items"][0]["id"]
    return [
        "/",
        f"/stories/{story}",
        f"/documents/{doc}",
        "/search?q=security+guarantees",
        "/entities",
        f"/entities/{entity}",
        "/docs",
        "/no-such-page",
        "/?outlet=TASS&since=2022-01-01",
    ]


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed CSS colours ("rgb(r, g, b)")."""
    la, lb = (luminance(tuple(float(x) for x in re.findall(r"[\d.]+", c))) for c in (a, b))
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_a_phone_without_sideways_scrolling(browser, server, scheme) -> None:  # noqa: ANN001
    context = browser.new_context(viewport=PHONE, color_scheme=scheme)
    page = context.new_page()
    widths = {}
    for path in pages(server.url):
        page.goto(server.url + path)
        widths[path] = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    context.close()
    assert all(w <= PHONE["width"] for w in widths.values()), widths


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_on_outlet_colours_meets_wcag_aa_for_every_hue(browser, server, scheme) -> None:  # noqa: ANN001
    """Any outlet can get any of the 360 hues, so all of them are rendered as badges and coverage cells."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    story = httpx.get(f"{server.url}/api/stories").json()["items"][0]["id"]
    page.goto(f"{server.url}/stories/{story}")
    colours = page.evaluate("""() => {
        const out = [];
        const host = document.createElement("div");
        document.body.appendChild(host);
        for (let h = 0; h < 360; h++) {
            for (const html of [`<span class="badge h-${h}">Outlet</span>`,
                                `<table class="coverage"><tr><td class="cell on h-${h}">●</td></tr></table>`]) {
                host.innerHTML = html;
                const el = host.querySelector(".badge, td");
                const s = getComputedStyle(el);
                out.push([h, el.tagName, s.color, s.backgroundColor]);
            }
        }
        for (const el of document.querySelectorAll(".badge")) {  // the page's own badges too
            const s = getComputedStyle(el);
            out.push([el.textContent, el.tagName, s.color, s.backgroundColor]);
        }
        return out;
    }""")
    context.close()
    worst = min(colours, key=lambda c: contrast(c[2], c[3]))
    assert contrast(worst[2], worst[3]) >= 4.5, worst
    assert len(colours) > 720


def test_keyboard_moves_through_the_timeline(browser, server) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    story = max(httpx.get(f"{server.url}/api/stories").json()["items"], key=lambda s: s["events"])
    page.goto(f"{server.url}/stories/{story['id']}")
    events = page.locator(".timeline .event")
    assert events.count() >= 2
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.id")
    assert first == events.nth(0).get_attribute("id")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == events.nth(1).get_attribute("id")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == first
    page.keyboard.press("Enter")
    assert events.nth(0).locator("details").get_attribute("open") is not None
    context.close()


def test_hide_an_event_from_the_page_and_undo_it(browser, server) -> None:  # noqa: ANN001
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    story = max(httpx.get(f"{server.url}/api/stories").json()["items"], key=lambda s: s["events"])
    page.goto(f"{server.url}/stories/{story['id']}")
    event = page.locator(".timeline .event").first
    event_id = event.get_attribute("id")
    with page.expect_navigation():
        event.get_by_role("button", name="Not an event: hide").click()
    assert page.locator(f"#{event_id}").count() == 0
    assert page.locator(".hidden-events").count() == 1
    assert httpx.get(f"{server.url}/api/corrections").json()["total"] == 1
    page.locator(".hidden-events summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Show again").click()
    assert page.locator(f"#{event_id}").count() == 1
    assert httpx.get(f"{server.url}/api/corrections").json()["total"] == 0
    context.close()


def test_copy_an_event_with_its_sources_as_markdown(browser, server) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    story = max(httpx.get(f"{server.url}/api/stories").json()["items"], key=lambda s: s["outlets"])
    page.goto(f"{server.url}/stories/{story['id']}")
    page.locator(".timeline .event").first.get_by_role("button", name="Copy as Markdown").click()
    text = page.evaluate("navigator.clipboard.readText()")
    assert text.startswith("**") and "First reported by" in text and "Sources:" in text
    assert f"]({server.url}/documents/" in text or "](http" in text  # links made absolute
    context.close()
