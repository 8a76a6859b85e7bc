"""The seeds' JSON export, compared with a stored copy: a refactoring must not change any output.

The golden files hold ``storyline analyze … --json`` (the whole v1 contract, with the comparison, claims,
framing and summary of each story) and ``storyline timeline --dates 5 --per-date 2 --json`` for the demo
articles and for the comparison fixture. A change that is meant to alter analysis output regenerates
them and commits the diff beside the change, so the reviewer sees what moved::

    python tests/test_golden_export.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden"
CORPORA = {
    "seeds": ROOT / "examples" / "security-guarantees",
    "port_strike": ROOT / "tests" / "data" / "compare" / "port_strike.jsonl",
}


def fresh_output(corpus: Path, tmp: Path) -> dict:
    """What the CLI prints for ``corpus`` now, with the run's timestamp and machine paths taken out."""
    from storyline.cli import main

    runner = CliRunner()
    db, out = str(tmp / "golden.db"), tmp / "golden.json"
    result = runner.invoke(main, ["analyze", str(corpus), "--db", db, "--json", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text(encoding="utf-8"))
    export.pop("generated")
    for doc in export["documents"]:
        doc["path"] = Path(doc["path"]).resolve().relative_to(ROOT).as_posix()
    result = runner.invoke(main, ["timeline", "--db", db, "--dates", "5", "--per-date", "2", "--json"])
    assert result.exit_code == 0, result.output
    return {"export": export, "key_dates": json.loads(result.output)}


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_export_matches_the_golden_file(name, tmp_path):
    stored = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert fresh_output(CORPORA[name], tmp_path) == stored, (
        f"the {name} export changed; if that is intended, run `python tests/test_golden_export.py` "
        "and commit the new golden file")


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(ROOT))
    for name, corpus in sorted(CORPORA.items()):
        with tempfile.TemporaryDirectory() as tmp:
            data = fresh_output(corpus, Path(tmp))
        path = GOLDEN / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
