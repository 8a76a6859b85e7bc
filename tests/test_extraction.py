"""HTML extraction: pruning never takes the article with it, and a page without an article is reported,
never stored as its menus and footer."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from storyline.ingest.readers import (
    NoArticle,
    _complete_chunks,
    _contained,
    _distinct_words,
    _main_mark,
    _needs_precision,
    _prune,
    _short_of_main,
    _trust_precise,
    choose_title,
    html_to_text,
    read_paths,
    read_record,
)
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


def _para(n: int, what: str = "chunk") -> str:
    return f"Paragraph {n} of the {what} says the council met on Monday and agreed the plan for the bridge."


def test_an_article_split_into_chunks_is_completed_but_not_with_lookalike_comments():
    chunk = '<div class="row"><div class="body">{}</div></div>'
    paras = lambda ns, what="chunk": "".join(f"<p>{_para(n, what)}</p>" for n in ns)  # noqa: E731
    html = ("<html><body><article><h1>Title</h1>" + chunk.format(paras([0, 1]))
            + '<div class="ad"><p>Advertisement</p></div>' + chunk.format(paras([2, 3]))
            + '<div class="row"><div class="promo"><p>' + _para(9, "promo") + "</p></div></div>"
            + "</article>" + chunk.format(paras([4], "comment")) + "</body></html>")
    tree = lxml.html.document_fromstring(html)
    first = "Title\n" + "\n".join(_para(n) for n in (0, 1))  # what an extractor keeping one chunk returns
    assert _complete_chunks(first, tree).split("\n") == ["Title"] + [_para(n) for n in range(4)]
    whole = "\n".join(_para(n) for n in range(4))
    assert _complete_chunks(whole, tree) == whole  # nothing missing: nothing added


def test_an_article_the_page_holds_twice_counts_once():
    article = "\n".join(_para(n) for n in range(5))
    assert _distinct_words(article + "\nShare\n" + article) == _distinct_words(article) + 1
    assert _distinct_words("12 months\n12 months") == 4  # short repeated lines (table cells) all count


def test_precision_mode_may_drop_text_but_not_return_another_part_of_the_page():
    article = "\n".join(_para(n) for n in range(4))
    assert _contained("\n".join(_para(n) for n in (1, 2)), article) == 1.0  # it dropped furniture: fine
    comment = "Great post, I have been saying for years that the bridge should have been rebuilt sooner."
    assert _contained(comment, article) == 0.0  # it returned a comment instead of the article: refused


def test_a_page_without_an_article_is_reported_not_stored_as_its_menus():
    html = (DATA / "section_front.html").read_text()
    with pytest.raises(NoArticle, match="no article found"):
        html_to_text(html)
    items = list(read_paths([DATA / "section_front.html", DATA / "form_wrapped.html"]))
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [e.where for e in errors] == [str(DATA / "section_front.html")]
    assert errors[0].message.startswith("no article found")
    assert [i.id for i in items if not isinstance(i, ReadError)] == ["form_wrapped"]


def test_a_list_of_links_run_into_one_line_is_not_an_article():
    links = "".join(f"<li><a href='/s/{i}'>Story number {i} headline here</a></li>" for i in range(40))
    with pytest.raises(NoArticle, match="no article found"):
        html_to_text(f"<html><body><article><h1>Latest</h1><ul>{links}</ul></article></body></html>")


def test_a_login_wall_is_not_an_article():
    wall = ("<html><body><nav><a href='/'>Home</a></nav><article><h1>Bridge reopens</h1><form>"
            "<p>Please log in to continue reading.</p><input name='user'><button>Log in</button></form>"
            "</article></body></html>")
    with pytest.raises(NoArticle, match="no article found"):
        html_to_text(wall)


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


def test_the_dateline_the_page_shows_beats_a_different_metadata_date():
    html = (DATA / "dateline.html").read_text()
    doc = read_record({"html": html}, "x")
    assert (doc.published, doc.published_source) == (date(2023, 3, 14), "text")  # byline, not the 16th
    agreeing = html.replace("14 March 2023", "16 March 2023")
    doc = read_record({"html": agreeing}, "x")
    assert (doc.published, doc.published_source) == (date(2023, 3, 16), "metadata")
    undated = html.replace(" | 14 March 2023", "")  # no visible date: the metadata stands
    assert read_record({"html": undated}, "x").published == date(2023, 3, 16)
    given = read_record({"html": html, "published": "2023-03-15"}, "x")  # a record's own field beats both
    assert (given.published, given.published_source) == (date(2023, 3, 15), "metadata")


def test_the_visible_headline_beats_a_decorated_metadata_title():
    doc = read_record({"html": (DATA / "dateline.html").read_text()}, "x")
    assert doc.title == "Ferry strike ends after pay deal"  # not "... - Portside Daily", not the logo <h1>
    assert not doc.text.startswith("Ferry strike ends")
    assert choose_title("Bridge reopens after repairs | Lakeside Herald", "Bridge reopens after repairs") \
        == "Bridge reopens after repairs"
    assert choose_title("Bridge reopens after eleven weeks of repairs", "Harbour bridge reopens after repairs") \
        == "Harbour bridge reopens after repairs"  # a social variant of the printed headline
    assert choose_title("Bridge reopens after repairs", "Lakeside Herald") == "Bridge reopens after repairs"
    assert choose_title(None, "Bridge reopens after repairs") == "Bridge reopens after repairs"


def test_a_page_too_large_to_extract_is_slimmed_or_refused_by_name(tmp_path):
    from storyline.ingest.readers import _MAX_MARKUP, read_paths

    story = "".join(f"<p>The council met on Monday and agreed plan {i} for the new bridge, the mayor said.</p>"
                    for i in range(12))
    heavy = "<script>var state = '" + "x" * (_MAX_MARKUP + 10) + "';</script>"
    page = tmp_path / "heavy.html"  # a real page's weight is its scripts: they go, the article stays
    page.write_text(f"<html><head><title>Bridge</title>{heavy}</head><body><article>{story}</article>"
                    "</body></html>", encoding="utf-8")
    (doc,) = read_paths([page])
    assert not isinstance(doc, ReadError) and "agreed plan 11" in doc.text
    huge = tmp_path / "huge.html"  # markup beyond the bound even without scripts: refused, named, at once
    huge.write_text("<html><body><article>" + story * (_MAX_MARKUP // len(story) + 1) + "</article></body></html>",
                    encoding="utf-8")
    (err,) = read_paths([huge])
    assert isinstance(err, ReadError) and err.where == str(huge) and "page too large to extract" in err.message


def test_bounding_a_large_page_keeps_its_json_ld_and_drops_scripts_styles_and_comments(monkeypatch):
    from storyline.ingest import readers

    monkeypatch.setattr(readers, "_MAX_MARKUP", 400)
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-03-05"}</script>'
    page = (f"<html><head>{ld}<script>var x = '{'y' * 300}';</script><style>p {{ color: red }}</style>"
            f"<!-- {'z' * 100} --></head><body><p>The council met.</p><svg><path d='M0 0'/></svg></body></html>")
    slim = readers.bounded(page)
    assert ld in slim and "<p>The council met.</p>" in slim
    assert "var x" not in slim and "color: red" not in slim and "zzz" not in slim and "<svg" not in slim
    assert readers.bounded("<p>short</p>") == "<p>short</p>"  # under the bound: untouched
    with pytest.raises(ValueError, match="page too large to extract"):
        readers.bounded("<p>" + "word " * 200 + "</p>")


def test_precision_mode_may_drop_the_page_around_the_article_but_not_its_list_items():
    paras = [_para(n) for n in range(4)]
    items = [f"Item {n}: a short entry of the list" for n in range(4)]
    listicle = "\n".join(paras[:2] + items + paras[2:])
    assert not _trust_precise("\n".join(paras), listicle)  # dropped 4 list items between kept lines
    assert _trust_precise("\n".join(paras[:3]), "\n".join(paras[:3] + items))  # a trailing box: fine
    assert _trust_precise("\n".join(paras[:3] + paras[3:]), "\n".join(paras[:3] + ["Share"] + paras[3:]))


def test_the_second_pass_runs_only_when_the_first_kept_lines_that_are_no_sentence():
    article = "\n".join(_para(n) for n in range(6))
    assert not _needs_precision(article)
    assert _needs_precision(article + "\nHome\nWorld\nBusiness\nMost read stories this week")


def test_an_extraction_holding_a_fraction_of_the_main_article_is_short():
    from types import SimpleNamespace

    tree = lxml.html.document_fromstring("<html><body><main>" + "".join(
        f"<p>{_para(n)}</p>" for n in range(12)) + "</main><p>Footer line</p></body></html>")
    main = _main_mark(tree)
    assert main.tag == "main"
    lead = SimpleNamespace(text="\n".join(_para(n) for n in range(2)))
    assert _short_of_main(lead, main)  # a lead and a byline of a long <main>: the whole page is tried
    assert not _short_of_main(SimpleNamespace(text="\n".join(_para(n) for n in range(8))), main)
    assert not _short_of_main(SimpleNamespace(text=""), main)  # nothing found: the fallbacks' job
    assert not _short_of_main(lead, None)
