"""Coverage-guided fuzzing of the readers with atheris: bytes → a file of some extension → ``read_paths``.

    pip install atheris
    python fuzz/fuzz_readers.py --write-seeds fuzz/corpus     # a few valid inputs to start from
    python fuzz/fuzz_readers.py fuzz/corpus -runs=200000      # any libFuzzer flag works (-max_total_time=600)

The first byte of an input picks the file's extension (.txt .html .json .jsonl .xml .warc .gz, none...),
the rest is the file. ``read_paths`` must never raise: everything it yields is a ``Document`` with clean,
non-empty text and consistent provenance, or a ``ReadError`` naming the file. Any exception (or a
violated invariant) is a crash that libFuzzer saves as ``crash-<sha1>``; re-run one with
``python fuzz/fuzz_readers.py crash-<sha1>``.

Without atheris, ``one_input`` is the same harness for other drivers (tests/test_properties.py runs it
under hypothesis, and runs this file for 1,500 atheris iterations when atheris is installed).
"""

from __future__ import annotations

import atexit
import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXTENSIONS = (".txt", ".html", ".json", ".jsonl", ".xml", ".warc", ".txt.gz", ".jsonl.gz", ".warc.gz", "",
              ".htm", ".rss", ".atom", ".md", ".ndjson", ".arc")
MAX_BYTES = 64 * 1024  # small, so the limit paths are exercised too
_modules: tuple | None = None


def _storyline() -> tuple:
    """(storyline.model, storyline.readers), imported on first use (under atheris: instrumented)."""
    global _modules
    if _modules is None:
        from storyline import model
        from storyline.ingest import readers

        _modules = (model, readers)
    return _modules


def one_input(data: bytes, folder: Path) -> int:
    """Run the readers on ``data`` written into ``folder``; AssertionError when an invariant fails.

    Returns the number of items read."""
    model, readers = _storyline()
    ext = EXTENSIONS[data[0] % len(EXTENSIONS)] if data else ".txt"
    for old in folder.iterdir():
        old.unlink()
    path = folder / f"input{ext}"
    path.write_bytes(data[1:])
    items = list(readers.read_paths([path], max_bytes=MAX_BYTES))
    assert items, "read_paths yielded nothing: neither a document nor an error"
    for item in items:
        if isinstance(item, model.ReadError):
            assert item.where.startswith(str(path)), item
            assert item.message.strip(), item
            continue
        assert isinstance(item, model.Document), type(item)
        assert item.text and item.text == item.text.strip(), repr(item.text[:80])
        assert "\r" not in item.text and "\x00" not in item.text, repr(item.text[:80])
        assert item.id and item.hash == model.content_hash(item.text)
        assert item.published_source in model.SOURCES and item.outlet_source in model.SOURCES
        assert (item.published is None) == (item.published_source == "unknown"), item
        assert (item.outlet is None) == (item.outlet_source == "unknown"), item
        assert item.path == str(path)
    return len(items)


def seeds() -> dict[str, bytes]:
    """Small valid inputs of every format, each prefixed with the byte that selects its extension."""
    def pick(ext: str) -> bytes:
        return bytes([EXTENSIONS.index(ext)])

    text = ("Talks resume in Geneva\n\nGENEVA (Reuters) - Diplomats met in Geneva on January 10, 2022. "
            "\"We made progress,\" Sergei Ryabkov said.\n")
    html = ("<!doctype html><html><head><meta charset=utf-8><title>Talks</title>"
            "<meta property='article:published_time' content='2022-01-10'></head><body><article>"
            "<p>Diplomats met in Geneva on January 10, 2022, officials said.</p></article></body></html>")
    record = {"id": "x1", "title": "Talks", "outlet": "Reuters", "published": "2022-01-10",
              "text": "Diplomats met in Geneva on January 10, 2022."}
    feed = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title><item><title>Talks</title>"
            "<link>https://example.com/a</link><pubDate>Mon, 10 Jan 2022 10:00:00 GMT</pubDate>"
            "<description>Diplomats met in Geneva on January 10, 2022.</description></item></channel></rss>")
    body = html.encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n" \
        b"Content-Length: %d\r\n\r\n" % len(body)
    payload = http + body
    warc = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/2022/01/10/talks\r\n"
            b"WARC-Record-ID: <urn:uuid:1>\r\nContent-Type: application/http; msgtype=response\r\n"
            b"Content-Length: %d\r\n\r\n" % len(payload) + payload + b"\r\n\r\n")
    return {
        "text": pick(".txt") + text.encode(),
        "html": pick(".html") + html.encode(),
        "json": pick(".json") + json.dumps([record, {"html": html}]).encode(),
        "jsonl": pick(".jsonl") + (json.dumps(record) + "\n{bad\n").encode(),
        "feed": pick(".xml") + feed.encode(),
        "warc": pick(".warc") + warc,
        "gz": pick(".jsonl.gz") + gzip.compress((json.dumps(record) + "\n").encode(), mtime=0),
        "sniffed": pick("") + html.encode(),
        "cp1252": pick(".txt") + "Café owners in São Paulo protested on 5 May 2022.".encode("cp1252"),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--write-seeds":
        folder = Path(sys.argv[2])
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds().items():
            (folder / f"seed-{name}").write_bytes(data)
        print(f"wrote {len(seeds())} seeds to {folder}")
        return
    import atheris

    with atheris.instrument_imports(include=["storyline"]):
        _storyline()
    folder = Path(tempfile.mkdtemp(prefix="storyline-fuzz-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    atheris.Setup(sys.argv, lambda data: one_input(data, folder))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
