"""Web pages an archive meets every day and extractors trip on, read by Storyline and by plain trafilatura
in the same run: wrong or missing charsets, stray bytes, very large pages, pages with no article.

    python bench/extraction_robustness.py [--json out.json] [--large-mb 5,19] [--cases "NAME;NAME..."]

Each case is written to a temporary folder as an .html file and read the way ``storyline analyze`` reads
it (``read_paths``: the whole chain, decoding included); trafilatura gets the same bytes
(``trafilatura.extract``, which decodes them itself). A case says what a correct reading is: the article's
accented text intact (charset cases), the whole article (large pages), or a clear "no article found" /
"file over the limit" naming the file and no document (pages with no article). Prints one row a case:
whether each system got it right, what it returned, and its seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ARTICLE = ("Le café de la gare a rouvert lundi, déjà plein à 7 heures ; « c’est un soulagement », a dit "
           "la gérante, Hélène Müller, après deux ans de travaux — les habitués sont revenus.")
CZECH = ("Vláda ve středu schválila návrh rozpočtu na příští rok. Ministr financí řekl, že schodek bude nižší "
         "než letos a že se počítá s růstem mezd učitelů.")
CHINESE = "新华网石家庄6月4日电 一个约定，信守15年，感人至深；一段真情，延续15年，感动河北。"


def _page(body: str, head: str = "", title: str = "Le café rouvre") -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
            f"<nav><a href='/'>Accueil</a> <a href='/monde'>Monde</a></nav><article><h1>{title}</h1>"
            f"{body}</article><footer>Mentions légales</footer></body></html>")


def _paras(text: str, n: int = 6) -> str:
    return "".join(f"<p>{text} ({i})</p>" for i in range(n))


def _large(mb: float) -> bytes:
    para = ("<p>Paragraph {i}: the council met on Monday and agreed plan {i} for the new bridge after a "
            "long debate about its cost of {c} million, the mayor said.</p>")
    out, size, i = [], 0, 0
    while size < mb * 1_000_000:
        p = para.format(i=i, c=i * 7) + ("<aside><a href='/x'>Related story</a></aside>" if i % 10 == 0 else "")
        out.append(p)
        size += len(p)
        i += 1
    return _page("".join(out), '<meta charset="utf-8">', "Bridge plan").encode()


def cases(large_mb: list[float]) -> dict[str, tuple[bytes, str, Callable[[str | None, str], bool]]]:
    """name -> (bytes, what a correct reading is, check(text or None, error message))."""
    intact = "the accented text intact"

    def has(phrase: str) -> Callable[[str | None, str], bool]:
        return lambda text, _err: text is not None and phrase in text

    def refused(why: str) -> Callable[[str | None, str], bool]:
        return lambda text, err: text is None and why in err

    french = _paras(ARTICLE)
    out = {
        "declares utf-8, is cp1252": (_page(french, '<meta charset="utf-8">').encode("cp1252"), intact,
                                      has(ARTICLE)),
        "declares iso-8859-1, is utf-8": (_page(french, '<meta charset="iso-8859-1">').encode(), intact,
                                          has(ARTICLE)),
        "no charset, cp1252": (_page(french).encode("cp1252"), intact, has(ARTICLE)),
        "no charset, cp1250 (Czech)": (_page(_paras(CZECH), title="Rozpočet").encode("cp1250"), intact,
                                       has(CZECH)),
        "no charset, GBK": (_page(_paras(CHINESE), title="河北").encode("gbk"), intact, has(CHINESE)),
        "utf-8 with a stray Latin-1 byte": (
            _page(french, '<meta charset="utf-8">').encode().replace(b"</footer>", b" M\xe4rz</footer>"),
            intact, has(ARTICLE)),
        "archived: utf-8 declared, then gb2312": (
            ('<meta charset="utf-8">' + _page(_paras(CHINESE), '<meta http-equiv="Content-Type" '
                                          'content="text/html; charset=gb2312">', "河北")).encode("gb18030"),
            intact, has(CHINESE)),
        "section front (only links)": (
            _page("<ul>" + "".join(f"<li><a href='/s/{i}'>Story number {i} headline here</a></li>"
                                   for i in range(40)) + "</ul>", '<meta charset="utf-8">').encode(),
            "no article found, file named", refused("no article found")),
        "login wall": (_page("<form><p>Please log in to continue reading.</p><input name='u'>"
                             "<button>Log in</button></form>", '<meta charset="utf-8">').encode(),
                       "no article found, file named", refused("no article found")),
        "empty body": (b"<html><head><title>x</title></head><body></body></html>", "refused, file named",
                       lambda text, err: text is None and bool(err)),
        "PNG named .html": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "refused as binary, file named",
                            refused("binary")),
        "over the 20 MB limit": (b"", "refused as too large, file named", refused("limit")),
    }
    for mb in large_mb:
        out[f"large page, {mb:g} MB"] = (  # an archive needs bounded work: refusing, named, is a right answer
            _large(mb), "the whole article, or refused as too large, file named",
            lambda text, err: (text is not None and "Paragraph 0:" in text) or "too large" in err)
    return out


def run(large_mb: list[float], only: set[str] | None = None) -> list[dict]:
    import trafilatura

    from storyline.ingest.readers import read_paths
    from storyline.model import ReadError

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, (data, expected, check)) in enumerate(cases(large_mb).items()):
            if only and name not in only:
                continue
            path = Path(tmp) / f"case{n}.html"
            if name == "over the 20 MB limit":
                path.write_bytes(_large(21))
            else:
                path.write_bytes(data)
            start = time.perf_counter()
            items = list(read_paths([path]))
            s_secs = time.perf_counter() - start
            docs = [i for i in items if not isinstance(i, ReadError)]
            errors = [i for i in items if isinstance(i, ReadError)]
            text = "\n".join(d.text for d in docs) if docs else None
            err = "; ".join(f"{e.where}: {e.message}" for e in errors)
            named = all(e.where == str(path) for e in errors)
            start = time.perf_counter()
            try:
                t_text = trafilatura.extract(path.read_bytes(), include_comments=False)
            except Exception as exc:  # noqa: BLE001 - reported, not raised: robustness is what is measured
                t_text, t_err = None, f"{type(exc).__name__}: {exc}"
            else:
                t_err = "" if t_text else "(nothing returned)"
            t_secs = time.perf_counter() - start
            rows.append({
                "case": name, "expected": expected,
                "storyline_ok": bool(check(text, err) and named),
                "storyline": (f"{len(text.split())} words" if text is not None else err.replace(str(path), "FILE")),
                "storyline_s": round(s_secs, 3),
                "trafilatura_ok": bool(check(t_text, "no article found" if not t_text else "")),
                "trafilatura": f"{len(t_text.split())} words" if t_text else t_err,
                "trafilatura_s": round(t_secs, 3),
            })
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--large-mb", default="5,19", help="sizes of the large pages, in MB (comma-separated)")
    ap.add_argument("--cases", help="only these cases (names separated by ';': names hold commas)")
    args = ap.parse_args(argv)
    rows = run([float(x) for x in args.large_mb.split(",") if x],
               set(args.cases.split(";")) if args.cases else None)
    for r in rows:
        print(f"{r['case']:40} storyline {'ok ' if r['storyline_ok'] else 'BAD'} {r['storyline_s']:7.2f}s "
              f"{r['storyline'][:60]:60} | trafilatura {'ok ' if r['trafilatura_ok'] else 'BAD'} "
              f"{r['trafilatura_s']:7.2f}s {r['trafilatura'][:40]}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({"storyline_ok": sum(r["storyline_ok"] for r in rows),
                      "trafilatura_ok": sum(r["trafilatura_ok"] for r in rows), "cases": len(rows)}))


if __name__ == "__main__":
    main()
