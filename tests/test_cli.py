"""End to end through the real CLI on the demo articles, checked against a reading of the five texts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "security-guarantees"
OTHER = ROOT / "tests" / "data" / "compare" / "port_strike.jsonl"
pytestmark = pytest.mark.e2e


def storyline(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "storyline.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    result = storyline("analyze", str(SEEDS), str(OTHER), "--db", "s.db", "--json", "out.json", "--html",
                       "out.html", cwd=tmp)
    assert result.returncode == 0, result.stderr
    return tmp, json.loads((tmp / "out.json").read_text()), result


def seed_story(data):
    (story,) = [s for s in data["stories"] if any(d.startswith("004_") for d in s["documents"])]
    return story


def test_the_five_seeds_form_one_story_and_the_unrelated_story_stays_apart(run):
    _, data, _ = run
    story = seed_story(data)
    assert sorted(d[:3] for d in story["documents"]) == ["000", "001", "002", "003", "004"]
    others = [s for s in data["stories"] if s is not story]
    assert others and all(not any(d[:3] in {"000", "001", "002", "003", "004"} for d in s["documents"])
                          for s in others)


def test_publication_dates_are_those_the_texts_state_and_none_is_invented(run):
    _, data, _ = run
    docs = {d["id"][:3]: d for d in data["documents"]}
    assert (docs["001"]["published"], docs["001"]["published_source"]) == ("2021-12-24", "text")
    assert (docs["002"]["published"], docs["002"]["published_source"]) == ("2022-10-30", "text")
    assert (docs["004"]["published"], docs["004"]["published_source"]) == ("2022-01-19", "text")
    assert docs["003"]["published"] is None and docs["003"]["published_source"] == "unknown"
    assert {docs[k]["outlet"] for k in docs if k[0] == "0"} == {"OREANDA-NEWS", "Report", "Ukrainska Pravda",
                                                                "Xinhua", "TASS"}


def test_timeline_events_list_every_source(run):
    _, data, _ = run
    timeline = seed_story(data)["timeline"]
    assert [e["date"] for e in timeline] == sorted(e["date"] for e in timeline)
    by_date = {}
    for e in timeline:
        by_date.setdefault((e["date"], e["end"]), []).append(set(e["sources"]))
    assert {"Report", "Xinhua"} in by_date[("2021-12-07", None)]
    assert {"TASS", "Ukrainska Pravda"} in by_date[("2021-12-17", None)]
    assert {"TASS", "Xinhua"} in by_date[("2022-01-09", "2022-01-10")]  # "January 9-10, 2022" + "January 10"
    assert {"TASS", "Xinhua"} in by_date[("2022-01-12", None)]
    assert {"TASS", "Xinhua"} in by_date[("2022-01-13", None)]
    assert ("2022-01-19", None) in by_date  # "Peskov said on Wednesday", published on a Wednesday
    assert ("2022-01-18", None) in by_date  # "On Tuesday" in the same article
    assert ("2022-02-24", None) in by_date  # "On 24 February, Russia invaded" in an October 2022 article
    for e in timeline:
        for m in e["mentions"]:
            assert m["sentence"] and m["document"] in seed_story(data)["documents"]


@pytest.mark.slow
def test_short_timeline_keeps_the_most_reported_days(run):
    """`timeline --dates N`: the N days most articles report, each event one sentence naming its day."""
    tmp, data, _ = run
    story = seed_story(data)
    result = storyline("timeline", "--db", "s.db", "--story", story["id"], "--dates", "3", "--json", cwd=tmp)
    assert result.returncode == 0, result.stderr
    (short,) = json.loads(result.stdout)
    days = [d["date"] for d in short["dates"]]
    assert len(days) == 3 and days == sorted(days)
    full = {(e["date"], e["end"]): len(e["documents"]) for e in story["timeline"]}
    single = sorted((n for (d, end), n in full.items() if end is None), reverse=True)
    for day in short["dates"]:
        (ev,) = day["events"]  # --per-date defaults to 1
        assert ev["articles"] >= single[2], "a less reported day was kept over a more reported one"
        assert ev["document"] in story["documents"] and 1 <= len(ev["sources"]) <= ev["articles"]
    assert "2021-12-17" in days  # the drafts' publication, reported by TASS and Ukrainska Pravda
    table = storyline("timeline", "--db", "s.db", "--dates", "2", "--per-date", "2", cwd=tmp)
    assert table.returncode == 0 and "Reported by" in table.stdout
    missing = storyline("timeline", "--db", "s.db", "--story", "nope", "--dates", "2", cwd=tmp)
    assert missing.returncode != 0 and "no story 'nope'" in missing.stderr


def test_timeline_shows_the_story_period_first_and_folds_the_rest_under_headings(run):
    tmp, data, _ = run
    story = seed_story(data)
    sections = {e["section"] for e in story["timeline"]}
    assert sections <= {"story", "background", "expected"} and "story" in sections
    assert story["period"]["start"] <= "2021-12-17" and story["period"]["end"] == "2022-10-30"
    # "we should wait until Friday" in TASS of 19 January: the 21 January meeting lay ahead
    assert {e["section"] for e in story["timeline"] if e["date"] == "2022-01-21"} == {"expected"}
    text = storyline("timeline", "--db", "s.db", "--story", story["id"], cwd=tmp).stdout
    assert text.index("17 December 2021") < text.index("Expected: plans") < text.index("21 January 2022")
    only = storyline("timeline", "--db", "s.db", "--story", story["id"], "--section", "expected", "--json",
                     cwd=tmp)
    (got,) = json.loads(only.stdout)
    assert got["timeline"] and {e["section"] for e in got["timeline"]} == {"expected"}
    html = (tmp / "out.html").read_text()
    assert '<details class="section section-expected">' in html


def test_quotes_have_canonical_speakers(run):
    _, data, _ = run
    quotes = seed_story(data)["quotes"]

    def speaker_of(words):
        return {q["speaker"] for q in quotes if words in q["text"]}

    assert speaker_of("First of all, there must follow an answer") == {"Dmitry Peskov"}  # "he explained"
    assert speaker_of("We should refrain from saying anything") == {"Dmitry Peskov"}  # "he said"
    assert speaker_of("the conversation was frank and businesslike") == {"Kremlin"}  # "the Kremlin statement added"
    assert speaker_of("Both leaders discussed agreements") == {"Kremlin"}  # "it said in a statement"
    assert "Peskov" not in {q["speaker"] for q in quotes}  # always the full name


@pytest.mark.slow
def test_rerun_is_idempotent_and_commands_read_the_db(run):
    tmp, data, _ = run
    again = storyline("analyze", str(SEEDS), "--db", "s.db", "--json", "again.json", cwd=tmp)
    assert again.returncode == 0 and "0 new, 5 already stored" in again.stderr
    assert len(json.loads((tmp / "again.json").read_text())["documents"]) == len(data["documents"])
    timeline = storyline("timeline", "--db", "s.db", cwd=tmp)
    assert timeline.returncode == 0 and "January 2022" in timeline.stdout
    quotes = storyline("quotes", "--db", "s.db", "--speaker", "Peskov", "--json", cwd=tmp)
    rows = json.loads(quotes.stdout)
    assert rows and {r["speaker"] for r in rows} == {"Dmitry Peskov"}
    html = (tmp / "out.html").read_text()
    assert "Ukrainska Pravda" in html and "reported by 2 sources" in html


@pytest.mark.slow
def test_unreadable_input_is_named_and_nothing_read_exits_non_zero(tmp_path):
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"id": "a", "text": "A perfectly fine article about a council vote on Monday."}\n{not json\n')
    ok = storyline("analyze", str(bad), "--db", "x.db", cwd=tmp_path)
    assert ok.returncode == 0 and "broken.jsonl:2" in ok.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    fail = storyline("analyze", str(empty), "--db", "y.db", cwd=tmp_path)
    assert fail.returncode != 0 and "empty.txt" in fail.stderr


def test_speaker_filter_matches_the_name_shown(tmp_path):
    """One person written three ways in four articles: the filter finds every quote by the name shown."""
    spill = ROOT / "tests" / "data" / "speakers" / "obama_spill.jsonl"
    assert storyline("analyze", str(spill), "--db", "o.db", "--quiet", cwd=tmp_path).returncode == 0
    every = json.loads(storyline("quotes", "--db", "o.db", "--json", cwd=tmp_path).stdout)
    assert {r["document"] for r in every} == {"spill-1", "spill-2", "spill-3", "spill-4"}
    assert {r["speaker"] for r in every} == {"Barack Obama"}
    for ask in ("Barack Obama", "barack"):
        rows = json.loads(storyline("quotes", "--db", "o.db", "--speaker", ask, "--json", cwd=tmp_path).stdout)
        assert sorted(r["text"] for r in rows) == sorted(r["text"] for r in every)
    none = storyline("quotes", "--db", "o.db", "--speaker", "Barak", "--json", cwd=tmp_path).stdout
    assert json.loads(none) == []  # the misspelling is not a name shown
