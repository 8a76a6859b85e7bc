"""Spreadsheet exports: the timeline, quotes, coverage matrix and documents as CSV.

Built from the JSON contract (the stored story records, ``contract.document_dict``), so a CSV says exactly what the
JSON says. Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) are prefixed with an apostrophe: article text is untrusted (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

TABLES = ("timeline", "quotes", "coverage", "documents")


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([_cell(v) for v in r] for r in rows)
    return buf.getvalue()


TIMELINE = (
    "story",
    "story_title",
    "event",
    "date",
    "end",
    "granularity",
    "summary",
    "outlets",
    "sources",
    "articles",
    "first_reported_outlet",
    "first_reported_date",
    "first_reported_document",
    "pinned",
    "documents",
)


def timeline_rows(stories: Iterable[dict]) -> list[list]:
    rows = []
    for s in stories:
        for e in s["timeline"]:
            first = e.get("first_reported") or {}
            rows.append(
                [
                    s["id"],
                    s["title"],
                    e["id"],
                    e["date"],
                    e["end"],
                    e["granularity"],
                    e["summary"],
                    len(e["sources"]),
                    [r["outlet"] or r["document"] for r in e.get("reports", [])] or e["sources"],
                    len(e["documents"]),
                    first.get("outlet"),
                    first.get("published"),
                    first.get("document"),
                    e.get("pinned", False),
                    e["documents"],
                ]
            )
    return rows


QUOTES = (
    "story",
    "speaker",
    "quote",
    "kind",
    "cue",
    "speaker_as_written",
    "outlet",
    "published",
    "document",
    "sentence",
    "corrected",
)


def quote_rows(items: Iterable[dict], documents: dict[str, dict]) -> list[list]:
    """``items``: quote dicts (``export.quote_dict``) with their ``story``."""
    rows = []
    for q in items:
        d = documents.get(q["document"], {})
        rows.append(
            [
                q.get("story"),
                q["speaker"],
                q["text"],
                q["kind"],
                q["cue"],
                q["speaker_text"],
                d.get("outlet"),
                d.get("published"),
                q["document"],
                q["sentence"],
                bool(q.get("corrected")),
            ]
        )
    return rows


COVERAGE_FIXED = ("story", "event", "date", "summary")


def coverage_table(stories: Iterable[dict]) -> tuple[list[str], list[list]]:
    """One row per event, one column per outlet: "dated" where the outlet dates the event, "undated"
    where it reports it without a date, empty where it does not report it."""
    stories = list(stories)
    outlets = sorted({o["outlet"] for s in stories for o in s.get("outlets", [])})
    rows = []
    for s in stories:
        marks: dict[tuple[int, str], str] = {}
        for o in s.get("outlets", []):
            for i in o.get("events", []):
                marks[(i, o["outlet"])] = "dated"
            for i in o.get("undated_events", []):
                marks.setdefault((i, o["outlet"]), "undated")
        for i, e in enumerate(s["timeline"]):
            rows.append([s["id"], e["id"], e["date"], e["summary"], *(marks.get((i, o), "") for o in outlets)])
    return [*COVERAGE_FIXED, *outlets], rows


DOCUMENTS = (
    "id",
    "title",
    "outlet",
    "published",
    "published_source",
    "url",
    "story",
    "duplicate_of",
    "moved_by_correction",
    "path",
)


def document_rows(documents: Iterable[dict]) -> list[list]:
    return [
        [
            d["id"],
            d["title"],
            d["outlet"],
            d["published"],
            d["published_source"],
            d["url"],
            d["story"],
            d["duplicate_of"],
            (d.get("corrected") or {}).get("correction"),
            d["path"],
        ]
        for d in documents
    ]


def tables(data: dict) -> dict[str, str]:
    """The four CSV files of a JSON contract document (``export.build``): name → text."""
    docs = {d["id"]: d for d in data["documents"]}
    quotes = [q | {"story": s["id"]} for s in data["stories"] for q in s["quotes"]]
    header, coverage = coverage_table(data["stories"])
    return {
        "timeline": to_csv(TIMELINE, timeline_rows(data["stories"])),
        "quotes": to_csv(QUOTES, quote_rows(quotes, docs)),
        "coverage": to_csv(header, coverage),
        "documents": to_csv(DOCUMENTS, document_rows(data["documents"])),
    }


def write_dir(data: dict, folder: str | Path) -> list[Path]:
    """Write timeline.csv, quotes.csv, coverage.csv and documents.csv (UTF-8 with a BOM, which is what
    makes Excel read the accents right) into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in tables(data).items():
        path = out / f"{name}.csv"
        path.write_text(text, encoding="utf-8-sig", newline="")
        paths.append(path)
    return paths
