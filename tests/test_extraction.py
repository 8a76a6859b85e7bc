"""HTML extraction: pruning never takes the article with it, and a page without an article is reported,
never stored as its menus and footer."""

import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from storyline.ingest.readers import NoArticle, _prune, html_to_text, read_paths, read_record
from storyline.model import ReadError

DATA = Path(__file__).parent / "data" / "extraction"


def test_a_page_wrapped_in_a_form_keeps_its_article():
    html = (DATA / "form_wrapped.html").read_text()
    doc = read_record({"html": html}, "x")
    assert doc.title == "Harbour bridge reopens after repairs"
    assert doc.text.startswith("The harbour bridge reopened to traffic on Tuesday morning")
    assert doc.text.endswith("for at least twenty-five years.")
    for furniture in ("Most read", "Weather", "Quay Street", "Council approves"):
        assert furniture not in doc.text


def test_pruning_checks_what_a_rule_would_remove():
    tree = lxml.html.document_fromstring((DATA / "form_wrapped.html").read_text())
    spared = _prune(tree)
    assert "//form" in spared  # it holds the article: kept
    assert not tree.xpath("//nav") and not tree.xpath("//footer")  # furniture inside it still goes
    assert len(tree.xpath("//p")) == 5
    small = lxml.html.document_fromstring(
        "<html><body><article><p>" + "word " * 200 + "</p></article>"
        "<form><p>Search the site for more stories and local news</p></form></body></html>")
    assert _prune(small) == [] and not small.xpath("//form")  # a search box is not the article


def test_a_page_without_an_article_is_reported_not_stored_as_its_menus():
    html = (DATA / "section_front.html").read_text()
    with pytest.raises(NoArticle, match="no article found"):
        html_to_text(html)
    items = list(read_paths([DATA / "section_front.html", DATA / "form_wrapped.html"]))
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [e.where for e in errors] == [str(DATA / "section_front.html")]
    assert errors[0].message.startswith("no article found")
    assert [i.id for i in items if not isinstance(i, ReadError)] == ["form_wrapped"]


def test_fallbacks_still_find_a_plain_article():
    """A page with no structure trafilatura's main pass keys on still yields its paragraphs."""
    body = "".join(f"<div>Paragraph {n} of the report says the council met on Monday and agreed the plan "
                   f"after a long debate about the cost of the new bridge.</div>" for n in range(6))
    text, _ = html_to_text(f"<html><body>{body}</body></html>")
    assert "Paragraph 0 of the report" in text and "Paragraph 5 of the report" in text


@pytest.mark.e2e
def test_cli_names_the_page_without_an_article_and_stores_the_rest(tmp_path):
    result = subprocess.run([sys.executable, "-m", "storyline.cli", "analyze", str(DATA / "section_front.html"),
                             str(DATA / "form_wrapped.html"), "--db", "x.db", "--quiet"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "section_front.html: no article found" in out
    assert "read 1 articles: 1 new" in out
    alone = subprocess.run([sys.executable, "-m", "storyline.cli", "analyze", str(DATA / "section_front.html"),
                            "--db", "y.db", "--quiet"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert alone.returncode != 0 and "no article found" in alone.stdout + alone.stderr
