"""Issue 14's attacks, each reproduced: inputs that used to stop a run, unbounded work, terminal escapes,
benchmark dependencies (and, further down, the web server's: cross-site writes, DNS rebinding, parameters
that gave a 500). RELIABILITY.md lists what each tried and what held."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from storyline import annotate, dates, nlp
from storyline.model import Document

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
GOOD = ("Talks resume in Geneva\n\nDiplomats met in Geneva on January 10, 2022, officials said. "
        "\"We made progress,\" Sergei Ryabkov said on January 10, 2022.\n")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "storyline.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=ENV, timeout=600)


def skipped(stderr: str) -> dict[str, str]:
    return dict(line[len("skipped "):].split(": ", 1) for line in stderr.splitlines() if line.startswith("skipped "))


# ------------------------------------------------------------------ no input stops a run (items 3, 4, 5, 7)


def test_odd_files_names_and_records_are_reported_and_the_rest_is_processed(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    latin1 = os.fsdecode(b"caf\xe9 report.txt")  # a file name that is not UTF-8
    (d / latin1).write_text(GOOD.replace("Geneva", "Vienna"), encoding="utf-8")
    (d / "loop1").symlink_to(d / "loop2")
    (d / "loop2").symlink_to(d / "loop1")
    (d / "dangling.txt").symlink_to(d / "missing.txt")
    (d / "linked-folder").symlink_to(tmp_path)
    (d / "null.txt").symlink_to("/dev/null")
    os.mkfifo(d / "pipe.jsonl")
    records = [
        '{"id": "surrogate", "title": "Bad \\udc00 title", "text": "Officials met on Monday in Geneva."}',
        "[" * 100_000,
        json.dumps({"id": "after-deep", "text": GOOD.replace("Geneva", "Oslo")}),
        json.dumps({"id": "huge-count", "published": "2022-01-05",
                    "text": "He waited " + "9" * 320 + " days. The council met again on January 4, 2022, "
                            "to discuss the plans for the town, the mayor said."}),
    ]
    (d / "records.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    db = tmp_path / "s.db"
    run = cli("analyze", str(d), str(d / "loop1"), "--db", str(db), "--quiet")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert skipped(run.stderr) == {
        f"{d}/dangling.txt": f"dangling symbolic link (to {d}/missing.txt, which does not exist)",
        f"{d}/linked-folder": "symbolic link to a folder: not followed (name the folder itself to read it)",
        f"{d}/loop1": "symbolic link loop (too many levels of links)",
        f"{d}/loop2": "symbolic link loop (too many levels of links)",
        f"{d}/null.txt": "a character device, not a regular file",
        f"{d}/pipe.jsonl": "a named pipe (FIFO), not a regular file",
        f"{d}/records.jsonl:1": "field 'title' is not valid Unicode text: lone surrogate U+DC00 at character 4",
        f"{d}/records.jsonl:2": "invalid JSON: nested too deeply",
    }, run.stderr
    with sqlite3.connect(db) as con:
        rows = dict(con.execute("SELECT id, annotated FROM documents"))
    # every good article stored and analysed: the one after the deep line too, the huge count's too
    assert rows == {"good": 1, "caf\\xe9 report": 1, "after-deep": 1, "huge-count": 1}, rows


def test_a_lone_surrogate_in_any_field_is_refused_with_its_name() -> None:
    from storyline.readers import read_record

    for name in ("id", "title", "text", "outlet", "url"):
        record = {"text": "Officials met in Geneva on Monday.", name: "x\ud800y"}
        with pytest.raises(ValueError, match=f"field '{name}'.*lone surrogate U\\+D800 at character 1"):
            read_record(record, "api")


@pytest.mark.parametrize("digits", [16, 308, 309, 400])
def test_counts_of_any_size_never_break_the_date_resolver(digits: int) -> None:
    units = ("seconds", "hours", "days", "weeks", "fortnights", "months", "quarters", "years", "decades",
             "centuries")
    for unit in units:
        for tail in ("", " ago", " later", " from now", " before"):
            for pub in (date(2022, 1, 5), None):
                found = dates.resolve(f"He waited {'9' * digits} {unit}{tail}, officials said.", pub)
                assert all(1 <= t.value.year <= 9999 for t in found)


# ---------------------------------------------------------------------------------- bounded cost (item 8)


def test_a_sentence_without_punctuation_is_cut_into_bounded_pieces() -> None:
    text = " ".join(["officials said talks in Geneva would go on"] * 10_000)  # 430 kB, one "sentence"
    sentences = nlp.split_sentences("d", text)
    assert len(sentences) > 200
    assert all(0 < s.end - s.start <= nlp.MAX_SENTENCE_CHARS for s in sentences)
    assert all(s.text == text[s.start:s.end] == s.text.strip() for s in sentences)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    # nothing lost: the pieces cover every word, in order
    assert " ".join(s.text for s in sentences).split() == text.split()


def test_the_statistical_stages_see_at_most_the_article_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = annotate.extract_entities

    def counting(doc_id, text, sentences):  # noqa: ANN001, ANN202
        seen.append(sum(len(s.text) for s in sentences))
        return real(doc_id, text, sentences[:3])

    monkeypatch.setattr(annotate, "extract_entities", counting)
    text = "".join(f"Officials in Geneva said on January 10, 2022 that talk {i} would go on. " for i in range(2_000))
    doc = Document("long", text, published=date(2022, 1, 11))  # 150 kB
    result = annotate.annotate(doc)
    assert 0 < seen[0] <= annotate.MAX_ANALYSED_CHARS
    assert all(q.end <= annotate.MAX_ANALYSED_CHARS for q in result.quotes)
    # dates are rule-based and cheap: the whole article still gets them
    assert result.mentions and max(m.sentence for m in result.mentions) == len(result.sentences) - 1


# ------------------------------------------------------------------------------ terminal escapes (item 9)

ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x1b]52;c;cHduZWQ=\x07", "\x9b2J", "\x07", "\x08"]


def test_nothing_the_cli_prints_carries_a_control_character(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from storyline.cli import main

    d = tmp_path / "in"
    d.mkdir()
    esc = "".join(ESCAPES)
    (d / f"empty {esc}.txt").write_bytes(b"")
    records = [{"id": f"doc{i}{esc}", "title": f"Talks {esc} resume {i}", "outlet": f"Wire{i} {esc}",
                "published": "2022-01-11", "text": GOOD.replace("progress", f"progress {esc}")
                + f"Peskov{esc} said talks in Geneva on January 10, 2022 were useful, Kremlin{i} said."}
               for i in range(3)]
    (d / "r.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    db = str(tmp_path / "s.db")
    run = cli("analyze", str(d), "--db", db, "--quiet")
    assert run.returncode == 0 and "empty" in run.stderr, run.stderr
    assert not CONTROL.search(run.stderr + run.stdout), repr(run.stderr)
    runner = CliRunner()
    story = json.loads(runner.invoke(main, ["stories", "--db", db, "--json"]).output)[0]["id"]
    commands = [["timeline"], ["stories"], ["quotes"], ["search", "progress"], ["summary"],
                ["compare", "--story", story]]
    for command in commands:
        for extra in ([], ["--json"]):
            result = runner.invoke(main, [*command, "--db", db, *extra])
            assert result.exit_code == 0, (command, result.output, result.exception)
            assert result.output.strip() and not CONTROL.search(result.output), (command, extra, result.output)
            if extra:
                json.loads(result.output)  # still valid JSON, the same value with C1 characters escaped
    ids = json.loads(runner.invoke(main, ["search", "progress", "--db", db, "--json"]).output)
    assert {h["document"] for h in ids} == {r["id"] for r in records}  # the stored data keeps them


# -------------------------------------------------------------------------- benchmark dependencies (item 12)


def _bench(name: str):  # noqa: ANN202
    spec = importlib.util.spec_from_file_location(f"bench_smoke_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "bench").glob("*.py")))
def test_every_benchmark_imports_with_the_declared_extras(name: str) -> None:
    """Every import of bench/ is installed by the README's test command (the `bench` extra among them)."""
    _bench(name)


def test_throughput_benchmark_smoke(tmp_path: Path) -> None:
    """One tiny measurement through bench/throughput.py's real code path (child process, RSS sampling)."""
    throughput = _bench("throughput")
    jsonl = tmp_path / "tiny.jsonl"
    jsonl.write_text("\n".join(json.dumps({"id": f"a{i}", "text": GOOD.replace("Geneva", city)})
                               for i, city in enumerate(["Geneva", "Vienna"])) + "\n", encoding="utf-8")
    result = throughput.measure(["--child", "storyline", "--jsonl", str(jsonl), "--workers", "1",
                                 "--engine", "local"])
    assert result["added"] == 2 and result["annotated"] == 2 and result["peak_rss_mb"] > 0, result
