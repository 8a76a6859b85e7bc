import gzip
import inspect
import io
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.ingest.metadata import clean_text, date_from_url, is_appeal, split_title
from storyline.ingest.readers import decode_bytes, detect_outlet, detect_published, read_paths, read_record
from storyline.model import Document, ReadError

DATA = Path(__file__).parent / "data" / "readers"
SEEDS = Path(__file__).parent.parent / "examples" / "security-guarantees"


def read_all(*paths, **kw) -> tuple[dict[str, Document], list[ReadError]]:
    docs, errors = {}, []
    for item in read_paths(list(paths), **kw):
        if isinstance(item, ReadError):
            errors.append(item)
        else:
            docs[item.id] = item
    return docs, errors


def one(path, **kw) -> Document:
    docs, errors = read_all(path, **kw)
    assert not errors and len(docs) == 1, (errors, list(docs))
    return next(iter(docs.values()))


# ---------------------------------------------------------------------------------------------- seeds


SEED_EXPECTED = {
    "000_4f7009c1a22c5cb7": (None, ("OREANDA-NEWS", "text"), (None, "unknown")),
    "001_3c4f504d817217d0": (None, ("Report", "text"), (date(2021, 12, 24), "text")),
    "002_0e8bdcd6dbf9ae24": ("Kremlin says Putin and Biden could discuss guarantees of Russia's security",
                             ("Ukrainska Pravda", "text"), (date(2022, 10, 30), "text")),
    "003_9a89fd7c7af8cd56": ("Putin, Biden discuss Moscow's security proposals in year-end telephone call",
                             ("Xinhua", "text"), (None, "unknown")),
    "004_ccb342e322d9af6e": (
        "Moscow hopes to receive soon US written reply on Russia’s security proposals — Kremlin",
        ("TASS", "text"), (date(2022, 1, 19), "text")),
}


@pytest.mark.parametrize("stem", sorted(SEED_EXPECTED))
def test_seed_articles(stem):
    doc = one(SEEDS / f"{stem}.txt")
    title, outlet, published = SEED_EXPECTED[stem]
    assert doc.id == stem
    assert doc.title == title
    assert (doc.outlet, doc.outlet_source) == outlet
    assert (doc.published, doc.published_source) == published
    assert doc.path == str(SEEDS / f"{stem}.txt")
    if title:
        assert not doc.text.startswith(title)
    for junk in ("{{", "Special Reports", "\nTop", "our patron", "date 2022-01-19", "SUNDAY, 30 OCTOBER"):
        assert junk not in doc.text


def test_seed_tass_year_from_context_without_the_date_line():
    raw = (SEEDS / "004_ccb342e322d9af6e.txt").read_text()
    body = raw.split("\n", 1)[1]  # drop " date 2022-01-19 {{...}}": only "MOSCOW, January 19" is left
    assert detect_published(body) == (date(2022, 1, 19), "text")
    # without the "On December 17, 2021" paragraph nothing says which year: no guess
    no_year = body.replace("On December 17, 2021, the Russian", "The Russian")
    assert detect_published(no_year) == (None, "unknown")


def test_seed_report_year_from_future_mention():
    raw = (SEEDS / "001_3c4f504d817217d0.txt").read_text()
    assert detect_published(raw) == (date(2021, 12, 24), "text")
    assert detect_published(raw.replace(" in January 2022", "")) == (None, "unknown")


def test_seed_xinhua_keeps_lone_credit_but_not_page_furniture():
    doc = one(SEEDS / "003_9a89fd7c7af8cd56.txt")
    assert doc.text.endswith("the Kremlin statement added.")
    assert doc.text.startswith("Xinhua\n")


# ------------------------------------------------------------------------------------------ text files


def test_reuters_text_file():
    doc = one(DATA / "reuters_grain.txt")
    assert doc.title == "Ukraine grain exports slow as Black Sea corridor talks stall"
    assert doc.text.startswith("KYIV, March 14 (Reuters) - Ukraine's grain exports")
    assert (doc.outlet, doc.outlet_source) == ("Reuters", "text")
    # "March 14" has no year; the deal "first agreed ... in July 2022" is in the past → March 2023
    assert (doc.published, doc.published_source) == (date(2023, 3, 14), "text")
    assert "Read more" not in doc.text and "\nShare" not in doc.text
    assert "(Reporting by Pavel Polityuk; Editing by Alex Richardson)" in doc.text


def test_ap_text_file_without_any_date():
    doc = one(DATA / "ap_shutdown.txt")
    assert (doc.outlet, doc.outlet_source) == ("AP", "text")
    assert (doc.published, doc.published_source) == (None, "unknown")  # "late Friday" is no date
    assert "Advertisement" not in doc.text


def test_afp_text_file_with_published_line_and_template_leftovers():
    doc = one(DATA / "afp_climate.txt")
    assert doc.title == "UN climate talks run into overtime as coal language divides nations"
    assert (doc.outlet, doc.outlet_source) == ("AFP", "text")
    assert (doc.published, doc.published_source) == (date(2021, 11, 12), "text")
    assert doc.text.startswith("Glasgow (AFP)")
    assert "{{" not in doc.text and "Special Reports" not in doc.text and "Published:" not in doc.text


def test_bbc_style_byline_and_date_lines():
    doc = one(DATA / "bbc_energy.txt")
    assert doc.title == "Energy bills: Price cap to rise by 54% in April"
    assert (doc.published, doc.published_source) == (date(2022, 2, 3), "text")
    assert (doc.outlet, doc.outlet_source) == (None, "unknown")  # nothing credits the BBC, and no URL
    assert "By Simon Jack" not in doc.text and "Related Topics" not in doc.text
    assert "Ofgem said" in doc.text


def test_guardian_style_appeal_names_the_outlet_and_is_removed():
    doc = one(DATA / "guardian_appeal.txt")
    assert (doc.outlet, doc.outlet_source) == ("The Guardian", "text")  # not AFP from the photo credit
    assert (doc.published, doc.published_source) == (date(2022, 1, 27), "text")
    for junk in ("Photograph:", "small favour", "as little as", "Facebook Twitter"):
        assert junk not in doc.text
    assert doc.text.endswith("but on secondary issues\".")


def test_cp1252_file_is_decoded():
    doc = one(DATA / "cp1252_note.txt")
    assert doc.title == "Brussels café owners protest over energy prices"
    assert "“many will not survive the winter”" in doc.text
    assert (doc.outlet, doc.published) == ("Reuters", date(2022, 2, 2))


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Kremlin rejects talks\n\nMOSCOW (Reuters) - The Kremlin said.", "Kremlin rejects talks"),
        ("Will Putin meet Biden?\nThe question hangs over Geneva this week.", "Will Putin meet Biden?"),
        ("Geneva talks end.\n\nThe talks ended on Friday without agreement.", "Geneva talks end."),
        ("The talks ended on Friday without agreement after seven hours.\nBoth sides said more.", None),
        ("The talks ended on Friday without agreement and both sides said they would meet again soon "
         "in Vienna or Geneva to discuss missiles, troop levels and exercises near the borders of the "
         "alliance\nMore text.", None),  # too long for a headline
        ("Just one line of text without any break", None),  # nothing would be left as body
        ("MOSCOW, Jan 19. /TASS/. Peskov said\nMore.", None),
        ("By Jane Doe\nThe talks ended.", None),
        ("Xinhua\nRussian President Vladimir Putin said.", None),  # one word is a credit, not a headline
    ],
)
def test_title_detection(text, title):
    found, rest = split_title(text)
    assert found == title
    assert (rest == text) if title is None else not rest.startswith(title)


# ------------------------------------------------------------------------------------------------ HTML


def test_html_page_with_metadata_scripts_and_furniture():
    doc = one(DATA / "ap_page.html")
    assert doc.id == "ap_page"
    assert doc.title == "Biden says US will respond in writing to Russia's demands"
    assert doc.url == "https://apnews.com/article/russia-ukraine-biden-business-europe-3a1b2c"
    assert (doc.outlet, doc.outlet_source) == ("AP", "metadata")  # og:site_name "AP News"
    assert (doc.published, doc.published_source) == (date(2022, 1, 19), "metadata")
    assert doc.text.startswith("WASHINGTON (AP) — President Joe Biden said Wednesday")
    for junk in ("alert", "dataLayer", "tracking", "Advertisement", "{{", "Home", "Politics", "font-family",
                 "Copyright", "<p>", "Share"):
        assert junk not in doc.text


def test_html_page_outlet_and_date_from_url():
    doc = one(DATA / "guardian_page.html")
    assert doc.url == "https://www.theguardian.com/world/2022/jan/26/nato-offers-russia-talks-on-missiles"
    assert (doc.outlet, doc.outlet_source) == ("The Guardian", "url")
    assert (doc.published, doc.published_source) == (date(2022, 1, 26), "url")
    assert "Photograph:" not in doc.text and "Related:" not in doc.text and "Skip to" not in doc.text


def test_truncated_html_still_yields_its_text():
    doc = one(DATA / "broken_page.html")
    assert doc.title == "Kyiv metro turned into shelter as sirens sound"
    assert doc.text.endswith("She did not give her surname")


def test_html_without_text_is_an_error():
    docs, errors = read_all(DATA / "no_text.html")
    assert not docs
    assert [e.where for e in errors] == [str(DATA / "no_text.html")]
    assert errors[0].message.startswith("no article found")


def test_txt_holding_html_is_read_as_html(tmp_path):
    f = tmp_path / "saved.txt"
    f.write_text("<p>ROME (ANSA) - Italy's government said it backed new sanctions.</p>"
                 "<script>document.cookie</script><style>p{color:red}</style><p>More talks follow.</p>")
    doc = one(f)
    assert "document.cookie" not in doc.text and "color" not in doc.text and "<" not in doc.text
    assert "Italy's government said" in doc.text


# ----------------------------------------------------------------------------------------- JSON, JSONL


def test_jsonl_good_and_bad_lines():
    docs, errors = read_all(DATA / "wires.jsonl")
    where = str(DATA / "wires.jsonl")
    assert sorted(docs) == ["dpa-1", "rt-20220119-peskov", "wires:2", "wires:6"]
    rt = docs["rt-20220119-peskov"]
    assert (rt.outlet, rt.outlet_source, rt.published, rt.published_source) == (
        "Reuters", "metadata", date(2022, 1, 19), "metadata")
    assert rt.title == "Kremlin awaits written U.S. reply on security demands"
    assert "Share this article" not in rt.text
    aa = docs["wires:2"]  # html field, no id: <stem>:<line>
    assert aa.title == "Turkiye offers to host Russia-Ukraine talks"
    assert (aa.outlet, aa.outlet_source) == ("Anadolu Agency", "metadata")
    assert "steal" not in aa.text and aa.text.startswith("ANKARA - Turkiye is ready")
    bbc = docs["wires:6"]  # NewsAPI shape: source.name, publishedAt, content
    assert (bbc.outlet, bbc.published) == ("BBC", date(2022, 1, 24))
    assert (docs["dpa-1"].outlet, docs["dpa-1"].outlet_source) == ("dpa", "text")
    got = {e.where: e.message for e in errors}
    assert got[f"{where}:3"].startswith("invalid JSON: ")
    assert got[f"{where}:4"] == "record has neither 'text' nor 'html'"
    assert "cannot read 'yesterday' as a date" in got[f"{where}:7"]
    assert got[f"{where}:8"] == "expected a JSON object, got list"
    assert len(errors) == 4  # the blank line 5 is no error


def test_json_newsapi_dump():
    docs, errors = read_all(DATA / "newsapi.json")
    assert not errors and sorted(docs) == ["kyodo-0111", "newsapi:1"]
    aj = docs["newsapi:1"]
    assert (aj.outlet, aj.outlet_source) == ("Al Jazeera", "metadata")
    # no published field: the dateline "Jan 10" and "December 30, 2021" in the text give the date
    assert (aj.published, aj.published_source) == (date(2022, 1, 10), "text")
    assert (docs["kyodo-0111"].outlet, docs["kyodo-0111"].published) == ("Kyodo", date(2022, 1, 7))


def test_json_single_object_list_and_invalid(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps({"text": "PARIS (AFP) - France said it would act.",
                                                   "id": "afp-1"}))
    (tmp_path / "list.json").write_text(json.dumps([{"text": "A first article body here."}, {"x": 1}]))
    (tmp_path / "bad.json").write_text('[\n  {"text": "ok"},\n  {"text": oops}\n]')
    (tmp_path / "empty.json").write_text("[]")
    docs, errors = read_all(tmp_path)
    assert sorted(docs) == ["afp-1", "list:1"]
    assert {(Path(e.where).name, e.message.split(":")[0]) for e in errors} == {
        ("bad.json:3", "invalid JSON"), ("empty.json", "no records (empty JSON list)"),
        ("list.json[2]", "record has neither 'text' nor 'html'")}


def test_read_record_rules():
    doc = read_record({"text": "BEIJING, Dec. 31 (Xinhua) -- China said on Friday it hoped talks in "
                               "January 2022 would succeed.", "url": "https://example.com/a"}, "article 0")
    assert len(doc.id) == 16 and doc.id == read_record({"text": doc.text}, "x").id  # content hash
    assert (doc.outlet, doc.outlet_source) == ("Xinhua", "text")
    assert (doc.published, doc.published_source) == (date(2021, 12, 31), "text")
    assert read_record({"text": "Body text here.", "id": 42}, "f.jsonl:3").id == "42"
    assert read_record({"text": "Body text here."}, "dir/feed.jsonl:17").id == "feed:17"
    assert read_record({"text": "Body.", "published": 1642550400}, "x").published == date(2022, 1, 19)
    assert read_record({"text": "Body.", "published": "19 января 2022"}, "x").published == date(2022, 1, 19)
    doc = read_record({"text": "Body.", "url": "https://www.tass.com/politics/1"}, "x")
    assert (doc.outlet, doc.outlet_source) == ("TASS", "url")
    for record, message in [
        ({}, "record has neither 'text' nor 'html'"),
        ({"text": "   "}, "record has neither 'text' nor 'html'"),
        ({"text": 5}, "field 'text' must be a string, got int"),
        ({"text": "x", "id": [1]}, "field 'id' must be a string or an integer, got list"),
        ({"text": "x", "published": "soon"}, "field 'published': cannot read 'soon' as a date"),
        ({"text": "Share\nTop"}, "no article text"),
        ({"html": "<script>x()</script>"}, "no article found"),
    ]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            read_record(record, "x")
    with pytest.raises(ValueError, match="expected a JSON object"):
        read_record([1], "x")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ WARC


def _warc(path: Path, records: list[tuple[str, str, bytes, str]], compress: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)
        for uri, status, body, ctype in records:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        writer.write_record(writer.create_warc_record("https://x.test/", "request",
                                                      payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))


PAGE = ("<html><head><title>{t}</title></head><body><article><h1>{t}</h1><p>{b}</p>"
        "<p>Officials said further talks would follow next week in the capital.</p></article></body></html>")


def test_warc_responses(tmp_path):
    uri1 = "https://www.reuters.com/world/2022/01/19/kremlin-waits/"
    uri2 = "https://news.example.org/story/42"
    _warc(tmp_path / "crawl.warc.gz", [
        (uri1, "200 OK", PAGE.format(t="Kremlin waits for reply", b="MOSCOW, Jan 19 (Reuters) - The Kremlin "
                                     "said it was waiting.").encode(), "text/html; charset=utf-8"),
        ("https://x.test/logo.png", "200 OK", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("https://x.test/missing", "404 Not Found", b"<html><body>Not found</body></html>", "text/html"),
        (uri2, "200 OK", PAGE.format(t="Café talks", b="Ministers met in a café, officials said.")
         .encode("cp1252"), "text/html; charset=windows-1252"),
    ])
    docs, errors = read_all(tmp_path / "crawl.warc.gz")
    assert not errors and len(docs) == 2
    import hashlib
    ids = {hashlib.sha256(u.encode()).hexdigest()[:16]: u for u in (uri1, uri2)}
    assert sorted(docs) == sorted(ids)
    for doc_id, doc in docs.items():
        assert doc.url == ids[doc_id]
    rt = next(d for d in docs.values() if d.url == uri1)
    assert (rt.title, rt.outlet, rt.published) == ("Kremlin waits for reply", "Reuters", date(2022, 1, 19))
    assert rt.published_source == "url"  # only the page's URL says 2022/01/19
    other = next(d for d in docs.values() if d.url == uri2)
    assert "café" in other.text and (other.outlet, other.outlet_source) == ("news.example.org", "url")


def test_truncated_and_fake_warc(tmp_path):
    records = [(f"https://a.test/{i}", "200 OK", PAGE.format(t=f"Headline number {i}", b="Article body text.")
                .encode(), "text/html") for i in range(3)]
    _warc(tmp_path / "full.warc.gz", records)
    data = (tmp_path / "full.warc.gz").read_bytes()
    (tmp_path / "cut.warc.gz").write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / "fake.warc").write_text("this is not a WARC file at all\n")
    (tmp_path / "images.warc").write_bytes(b"")
    _warc(tmp_path / "images.warc", [("https://a.test/i.png", "200 OK", b"\x89PNG", "image/png")])
    docs, errors = read_all(tmp_path / "cut.warc.gz", tmp_path / "fake.warc", tmp_path / "images.warc")
    assert sorted(d.title for d in docs.values()) == ["Headline number 0", "Headline number 1"]
    assert [(Path(e.where).name, e.message.split(":")[0]) for e in errors] == [
        ("fake.warc", "not a WARC file"),
        ("images.warc", "WARC file has no HTML response records")]


# ----------------------------------------------------------------------------------------------- feeds


def test_rss_feed():
    docs, errors = read_all(DATA / "afp_world.rss")
    assert [(Path(e.where).name, e.message) for e in errors] == [
        ("afp_world.rss[3]", "feed item has no content or summary")]
    nato = docs["afp-2022-01-24-nato-standby"]
    assert nato.title == "NATO puts forces on standby, sends ships and jets to eastern Europe"
    assert (nato.published, nato.published_source) == (date(2022, 1, 24), "metadata")
    assert (nato.outlet, nato.outlet_source) == ("AFP", "text")
    assert "alert" not in nato.text and "Share" not in nato.text and "<" not in nato.text
    geneva = docs["afp-2022-01-21-geneva"]
    assert (geneva.outlet, geneva.outlet_source) == ("AFP", "metadata")  # the channel: "AFP World News"
    assert geneva.url == "https://www.afp.com/en/news/blinken-lavrov-geneva"


def test_atom_feed():
    doc = one(DATA / "dw.atom")
    assert doc.id == "tag:dw.com,2022:a-60550123"
    assert (doc.outlet, doc.published) == ("Deutsche Welle", date(2022, 1, 25))
    assert doc.text == ("German Chancellor Olaf Scholz has again ruled out sending lethal weapons to "
                        "Ukraine, saying Berlin would instead support Kyiv financially.")


# --------------------------------------------------------------------------------- folders, bad input


def test_folder_walk_sorted_recursive_hidden_skipped_and_sniffed(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    shutil.copy(DATA / "ap_shutdown.txt", tmp_path / "b" / "z.txt")
    shutil.copy(DATA / "reuters_grain.txt", tmp_path / "a.txt")
    shutil.copy(DATA / "ap_page.html", tmp_path / "b" / "page.dat")  # unknown extension: sniffed HTML
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nnot to be read at all.")
    (tmp_path / ".git" / "c.txt").write_text("Hidden folder\n\nnot to be read at all.")
    (tmp_path / "records").write_bytes(b'{"id": "r1", "text": "First wire story body."}\n'
                                       b'{"id": "r2", "text": "Second wire story body."}\n')
    with gzip.open(tmp_path / "more.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"id": "gz1", "text": "A gzipped record body."}) + "\n")
    order = [d.id for d in read_paths([str(tmp_path)])]
    # a.txt, b/page.dat, b/z.txt, more.jsonl.gz, records
    assert order == ["a", "page", "z", "gz1", "r1", "r2"]
    assert list(read_paths(tmp_path / "a.txt"))[0].id == "a"  # a single path, str or Path


def test_bad_inputs_are_errors_and_the_batch_goes_on(tmp_path):
    cases = {
        "image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "nul.txt": b"text\x00with\x00nul\x00bytes" * 10,
        "empty.txt": b"",
        "blank.txt": b"  \n\n\t\n",
        "big.txt": b"Headline\n\n" + b"word " * 400,
        "mixed.txt": "Russia’s reply ".encode() + b"\xff\xfe broken bytes",
        "furniture.txt": b"Share\nTop\nAdvertisement\n",
        "huge.jsonl": b'{"text": "' + b"x" * 3000 + b'"}\n{"id": "small", "text": "A small record."}\n',
        "good.txt": b"Good headline here\n\nLONDON (Reuters) - A good article body.",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    paths = [tmp_path / n for n in sorted(cases)] + [tmp_path / "missing-dir"]
    docs, errors = read_all(*paths, max_bytes=1000)
    assert sorted(docs) == ["good", "small"]
    got = {Path(e.where).name: e.message for e in errors}
    assert got == {
        "big.txt": "file over the 1,000-byte limit (2,010 bytes on disk)",
        "blank.txt": "empty file",
        "empty.txt": "empty file",
        "furniture.txt": "no article text (empty, or only boilerplate)",
        "huge.jsonl:1": "line over the 1,000-byte limit",
        "image.txt": "binary file (PNG image), not text",
        "missing-dir": "no such file or directory",
        "mixed.txt": "undecodable bytes: invalid UTF-8 at byte 17 in a file that is otherwise UTF-8",
        "nul.txt": "binary file (binary data), not text",
    }


def test_decode_bytes():
    assert decode_bytes("Zürich ’".encode()) == "Zürich ’"
    assert decode_bytes(b"\xef\xbb\xbfwith BOM") == "with BOM"
    assert decode_bytes("UTF-16 text".encode("utf-16")) == "UTF-16 text"
    assert decode_bytes("naïve café déjà".encode("cp1252")) == "naïve café déjà"
    assert decode_bytes("Песков заявил, что Москва надеется получить ответ.".encode("cp1251")) == \
        "Песков заявил, что Москва надеется получить ответ."
    assert decode_bytes("déclaré".encode("latin-1"), declared="latin-1") == "déclaré"
    french = "Le café a rouvert lundi, déjà plein à 7 heures, a dit la gérante, Hélène, après deux ans. " * 3
    assert decode_bytes(french.encode("cp1252"), declared="utf-8") == french  # not "déją" (cp1250/cp1257)
    with pytest.raises(ValueError, match="binary"):
        decode_bytes(b"%PDF-1.7 ...")


@pytest.mark.parametrize("text", [
    "Vláda ve středu schválila návrh rozpočtu na příští rok. Ministr financí řekl, že schodek bude nižší "
    "než letos a že se počítá s růstem mezd učitelů.",
    "Rząd w środę przyjął projekt budżetu na przyszły rok. Minister finansów powiedział, że deficyt będzie "
    "niższy niż w tym roku, a płace nauczycieli wzrosną.",
    "A kormány szerdán elfogadta a jövő évi költségvetés tervezetét. A pénzügyminiszter szerint a hiány "
    "kisebb lesz, mint idén, és a tanárok bére emelkedik.",
    "Vlada je u srijedu usvojila prijedlog proračuna za sljedeću godinu. Ministar financija rekao je da će "
    "manjak biti manji nego ove godine, a plaće učitelja će rasti.",
])
def test_central_european_page_without_a_charset_is_read_as_cp1250(text):
    # these letters read with little "chaos" as cp1252 too ("è", "¹", "õ"), but less like the language
    page = f"<html><head><title>Rozpočet</title></head><body><p>{text}</p></body></html>"
    assert decode_bytes(page.encode("cp1250")) == page
    assert decode_bytes(text.encode("cp1250")) == text


def test_decode_bytes_keeps_a_utf8_page_with_a_few_stray_bytes_and_reads_an_archived_legacy_page():
    # a Latin-1 name pasted into a UTF-8 template: the page is kept, the stray byte read as cp1252
    page = "<p>Zürich, Genève – “quoted” ’s</p>\n".encode() * 10 + b"<!-- M\xe4scot -->"
    assert decode_bytes(page, declared="utf-8").endswith("<!-- Mäscot -->")
    assert "Genève – “quoted”" in decode_bytes(page)
    # an archived GB2312 page: the archive declares UTF-8 first, the page its own charset after it;
    # GB2312 bytes often look like UTF-8 by chance, which must not make the page "mixed"
    body = "新华网石家庄6月4日电 一个约定，信守15年，感人至深。".encode("gb2312") * 20
    archived = b'<meta charset="utf-8"><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    assert decode_bytes(archived + body).endswith("信守15年，感人至深。")


def test_read_paths_is_a_lazy_generator(tmp_path):
    f = tmp_path / "big.jsonl"
    with open(f, "w") as fh:
        fh.write(json.dumps({"id": "first", "text": "The first record."}) + "\n")
        for i in range(2000):
            fh.write(json.dumps({"text": f"Record number {i} body text."}) + "\n")
    gen = read_paths([f])
    assert inspect.isgenerator(gen)
    assert next(gen).id == "first"
    gen.close()


# ---------------------------------------------------------------------------------- date detection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BEIJING, Dec. 31 (Xinhua) -- China and Russia agreed to deepen ties, the ministry said, after "
         "talks on December 15, 2021 in Moscow.", date(2021, 12, 31)),
        ("MOSCOW. Jan 19 (Interfax) - The Kremlin said talks set for January 21, 2022 would go ahead.",
         date(2022, 1, 19)),
        ("KYIV, Ukraine, Feb. 3 (UPI) -- Ukraine said on Thursday it was ready for talks.", None),  # no year
        ("Published: 19 January 2022 10:05 GMT\nUpdated: 20 January 2022\nBody text follows here.",
         date(2022, 1, 19)),
        ("Last updated 20/01/2022\nBody text follows here with some words.", date(2022, 1, 20)),
        ("Wed 19 Jan 2022 17.30 GMT\nThe talks in Geneva ended without agreement.", date(2022, 1, 19)),
        ("By Andrew Osborn and Guy Faulconbridge | January 19, 2022 10:32 AM GMT\nMOSCOW (Reuters) - Russia "
         "said.", date(2022, 1, 19)),
        ("Talks Set To Resume In Geneva On January 10, 2022\nThe talks will resume.", None),  # a headline
        ("On Jan. 24, NATO said it was putting forces on standby, weeks after talks held in December 2021.",
         date(2022, 1, 24)),
        ("Lavrov told reporters on Friday that he saw no progress.", None),  # weekdays alone: no date
        ("The ministry said on 3 March 2022 that exports would fall.", date(2022, 3, 3)),
        ("He spoke about the war that started in 2014 and the events of May 9.", None),
        ("", None),
    ],
)
def test_detect_published_styles(text, expected):
    found, source = detect_published(text)
    assert found == expected
    assert source == ("text" if expected else "unknown")


def test_long_headline_before_a_credited_dated_lead(tmp_path):
    f = tmp_path / "azeri.txt"
    f.write_text("Baku expects answers from Yerevan on the peace treaty draft within weeks\n\n"
                 "CASPIAN-WIRE. Azerbaijan expects a reply to its peace proposals in March 2023, the foreign "
                 "ministry's spokesperson told journalists on Feb. 20, adding that talks would go on.\n")
    doc = one(f)
    assert doc.title == "Baku expects answers from Yerevan on the peace treaty draft within weeks"
    assert (doc.outlet, doc.outlet_source) == ("CASPIAN-WIRE", "text")
    assert (doc.published, doc.published_source) == (date(2023, 2, 20), "text")


def test_detect_published_never_uses_today_or_relative_words():
    for text in ("Updated 2 hours ago\nBody.", "Published: yesterday\nBody.", "Posted today at 10:00\nText."):
        assert detect_published(text) == (None, "unknown")


def test_detect_published_uses_title_as_context():
    text = "ROME, Jan 9 (ANSA) - Italy said it backed the talks."
    assert detect_published(text) == (None, "unknown")
    assert detect_published(text, title="Talks on January 10, 2022 to test Russia-Nato ties") == (
        date(2022, 1, 9), "text")


def test_date_from_url():
    assert date_from_url("https://www.theguardian.com/world/2022/jan/26/x") == date(2022, 1, 26)
    assert date_from_url("https://example.com/2022/01/19/story") == date(2022, 1, 19)
    assert date_from_url("https://example.com/news/2022-01-19-story.html") == date(2022, 1, 19)
    assert date_from_url("https://example.com/story/1642550400") is None
    assert date_from_url("https://example.com/2022/13/40/x") is None
    assert date_from_url(None) is None


# -------------------------------------------------------------------------------- outlet detection


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("KYIV, Jan 19 (Reuters) - Ukraine said.", None, ("Reuters", "text")),
        ("NEW YORK (AP) — Stocks fell on Wednesday.", None, ("AP", "text")),
        ("SAN FRANCISCO, Calif. (AP) — A tech firm said.", None, ("AP", "text")),
        ("Paris (AFP) - France said on Monday it would act.", None, ("AFP", "text")),
        ("BEIJING, Dec. 31 (Xinhua) -- China said.", None, ("Xinhua", "text")),
        ("MINSK, 19 January (BelTA) - Belarus held drills, officials said.", None, ("BelTA", "text")),
        ("ASTANA, January 19. /Kazinform/. Kazakhstan said it would send aid.", None, ("Kazinform", "text")),
        ("ACME-WIRE. The government announced a new budget plan on Monday for the coming year.", None,
         ("ACME-WIRE", "text")),
        ("Baku talks resume, Azertac informs. Both delegations met in the capital for hours.", None,
         ("Azertac", "text")),
        ("China said it would support the talks.\n— Xinhua", None, ("Xinhua", "text")),
        ("Body of the story goes here.\n© 2022 Reuters. All rights reserved.", None, ("Reuters", "text")),
        ("Talks ended.\n(Reporting by Jane Doe in Moscow; Editing by John Smith)", None, ("Reuters", "text")),
        ("Peskov told TASS that talks would continue in Geneva next week.", None, (None, "unknown")),
        ("Moscow expects answers, Peskov said (quoted by TASS) on Friday.", None, (None, "unknown")),
        ("Source: Russian outlets RIA Novosti and RBC, citing Peskov's statements on television", None,
         (None, "unknown")),
        ("MOSCOW. The Kremlin said on Wednesday it was still waiting for a reply from Washington.", None,
         (None, "unknown")),
        ("UPDATE. The Kremlin said on Wednesday it was still waiting for a reply from Washington.", None,
         (None, "unknown")),
        ("Text that credits nobody.", "https://www.example-news.com/world/1", ("example-news.com", "url")),
        ("Plain text that credits nobody.", "https://m.tass.com/politics/1", ("TASS", "url")),
        ("", None, (None, "unknown")),
    ],
)
def test_detect_outlet_styles(text, url, expected):
    assert detect_outlet(text, url) == expected


# ------------------------------------------------------------------------------------------- cleanup


def test_clean_text_drops_furniture_keeps_prose():
    raw = ("Headline\r\n {{dayPoint.date | date : 'd MMMM yyyy'}}\r\n\r\nFirst paragraph mentions the Top "
           "official.\n\nShare\nFacebook | Twitter | Email\nAdvertisement\nREAD MORE: Another story here\n"
           "Second paragraph {% if x %}of the story.\n\n\n\nRelated\n———\nSpecial Reports\nTop\n")
    assert clean_text(raw) == ("Headline\n\nFirst paragraph mentions the Top official.\n\n"
                               "Second paragraph of the story.")


def test_reprint_share_and_error_widgets_are_dropped_but_prose_like_them_stays():
    raw = ("The council met on Monday and agreed the plan.\n- Order Reprints\n- Print Article\n"
           "Like this story? Share it with a friend!\n"
           "This copy is for your personal, non-commercial use only. To order copies visit the site.\n"
           "An error has occurred, please try again later.\n"
           "Something went wrong with the engine shortly after takeoff.\nLike this, the plan failed.")
    assert clean_text(raw) == ("The council met on Monday and agreed the plan.\n"
                               "Something went wrong with the engine shortly after takeoff.\n"
                               "Like this, the plan failed.")


@pytest.mark.parametrize(
    "line",
    [
        "Journalists fight on their own frontline. Support Ukrainska Pravda or become our patron!",
        "Support the Guardian from as little as $1 – it only takes a minute. Thank you.",
        "If you value our reporting, please make a one-off contribution today.",
        "Support independent journalism: donate now.",
        "Become a patron on Patreon and help keep us going.",
        "Sign up for our daily newsletter to get the latest news.",
    ],
)
def test_donation_appeals_are_dropped(line):
    assert is_appeal(line)
    assert clean_text(f"A first line of real prose here.\n{line}\nLast line.") == (
        "A first line of real prose here.\nLast line.")


@pytest.mark.parametrize(
    "line",
    [
        "The EU pledged to support Ukraine and donate $1bn to the reconstruction fund.",
        '"The West must support us," Zelensky said.',
        "Support Ukraine or face the consequences, he told allies.",
        "Support for the bill grew after the vote.",
        "Finland will become a member of NATO, our correspondent reports.",
        "Top officials met in Geneva.",
    ],
)
def test_news_prose_is_not_an_appeal(line):
    assert not is_appeal(line)
    assert line in clean_text(f"A first line of real prose here.\n{line}")


# ----------------------------------------------------------------------------------------- properties


_keys = st.sampled_from(["text", "html", "id", "title", "url", "published", "outlet", "source", "date",
                         "content", "publishedAt", "link", "other"])
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=6))
def test_read_record_only_raises_value_error(record):
    try:
        doc = read_record(record, "prop:1")
    except ValueError as exc:
        assert str(exc)
    else:
        assert doc.text.strip() and doc.id
        assert doc.published_source in ("metadata", "text", "url", "unknown")
        assert doc.outlet_source in ("metadata", "text", "url", "unknown")


_PIECES = ["January 19", "2022", "(Reuters) -", "Share", "{{x}}", "MOSCOW, ", "/TASS/", "Published: ",
           "Support ", " or become our patron!", "On December 17, 2021", "said on ", "Dec. 24"]
_news_chars = st.lists(st.characters(codec="utf-8") | st.sampled_from(list(" \n\n{}%/().,-—:|©") + _PIECES),
                       max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(_news_chars)
def test_text_rules_never_crash(text):
    cleaned = clean_text(text)
    assert "\r" not in cleaned and not re.search(r"\{\{.*?\}\}", cleaned)
    assert cleaned == cleaned.strip()
    title, body = split_title(cleaned)
    assert title is None or body
    published, source = detect_published(text, title)
    assert (published is None) == (source == "unknown")
    outlet, how = detect_outlet(text, "https://example.com/x")
    assert how in ("text", "url")
