"""Entity cleaning and canonical names, on hand-written text (never the bundled example articles)."""

from __future__ import annotations

import pytest

from storyline.annotate import nlp
from storyline.annotate.entities import (
    canonicalize,
    clean_span,
    edit_distance,
    extract_entities,
    may_hold_name,
    merge_names,
    ner_spans,
)
from storyline.annotate.nlp import split_sentences
from storyline.model import Entity


def clean(sentence: str, span: str, label: str) -> tuple[str, str] | None:
    start = sentence.index(span)
    out = clean_span(sentence, start, start + len(span), label)
    return None if out is None else (sentence[out[0] : out[1]], out[2])


@pytest.mark.parametrize("sentence, span, label, expected", [
    ("Government Spokesman Pavel Orlov said so.", "Government Spokesman Pavel Orlov", "ORG", ("Pavel Orlov", "PERSON")),
    ("Finnish President Aino Virtanen arrived.", "Finnish President Aino Virtanen", "PERSON",
     ("Aino Virtanen", "PERSON")),
    ("Deputy Foreign Minister Lev Gromov spoke.", "Deputy Foreign Minister Lev Gromov", "PERSON",
     ("Lev Gromov", "PERSON")),
    ("Mr. Orlov left.", "Mr. Orlov", "PERSON", ("Orlov", "PERSON")),
    ("Orlov's plan failed.", "Orlov's", "PERSON", ("Orlov", "PERSON")),
    ("Orlov’s plan failed.", "Orlov’s", "PERSON", ("Orlov", "PERSON")),
    ("He visited the Interior Ministry today.", "the Interior Ministry", "ORG", ("Interior Ministry", "ORG")),
    ("Kremlin spokesman Orlov said no.", "Orlov", "ORG", ("Orlov", "PERSON")),
    ('"It is over,"- Orlov concluded.', 'over,"- Orlov', "PERSON", ("Orlov", "PERSON")),
    ("General Motors cut jobs.", "General Motors", "ORG", ("General Motors", "ORG")),
    ("Pope Francis spoke.", "Pope Francis", "PERSON", ("Pope Francis", "PERSON")),
    ("He met the Department of Justice.", "Department of Justice", "ORG", ("Department of Justice", "ORG")),
])
def test_clean_span(sentence: str, span: str, label: str, expected: tuple[str, str]):
    assert clean(sentence, span, label) == expected


def test_clean_span_drops_labels_we_do_not_keep_and_empty_names():
    assert clean("It cost 5 dollars.", "5 dollars", "MONEY") is None
    assert clean("The Spokesman said.", "The", "ORG") is None


def ent(text: str, label: str, start: int, doc: str = "d") -> Entity:
    return Entity(doc, 0, start, start + len(text), text, label)


def test_canonicalize_surnames_and_short_organisation_names():
    ents = [ent("Pavel Orlov", "PERSON", 0), ent("Lithuanian Foreign Ministry", "ORG", 20),
            ent("Orlov", "PERSON", 60), ent("Foreign Ministry", "ORG", 80), ent("Orlov", "ORG", 100),
            ent("U.S.", "GPE", 120), ent("Kremlin", "ORG", 130)]
    canonicalize(ents)
    assert [e.canonical for e in ents] == ["Pavel Orlov", "Lithuanian Foreign Ministry", "Pavel Orlov",
                                           "Lithuanian Foreign Ministry", "Pavel Orlov", "United States", "Kremlin"]
    assert ents[4].label == "PERSON"  # a lone surname the model called an organisation


def test_canonicalize_picks_the_nearest_earlier_full_name_and_stays_in_its_document():
    ents = [ent("Anna Clark", "PERSON", 0), ent("Tom Clark", "PERSON", 50), ent("Clark", "PERSON", 90),
            ent("Clark", "PERSON", 10, doc="other")]
    canonicalize(ents)
    assert ents[2].canonical == "Tom Clark"
    assert ents[3].canonical == "Clark"


def test_first_name_alone_only_when_unambiguous():
    ents = [ent("Hanna Berg", "PERSON", 0), ent("Hanna", "PERSON", 30)]
    canonicalize(ents)
    assert ents[1].canonical == "Hanna Berg"
    ents = [ent("Hanna Berg", "PERSON", 0), ent("Hanna Lind", "PERSON", 20), ent("Hanna", "PERSON", 40)]
    canonicalize(ents)
    assert ents[2].canonical == "Hanna"


def test_merge_names_across_documents():
    names = ["Orlov", "Pavel Orlov", "Pavel Orlov", "the Kremlin", "Kremlin", "Clark", "Anna Clark",
             "Tom Clark", "Foreign Ministry", "Lithuanian Foreign Ministry"]
    m = merge_names(names)
    assert m["Orlov"] == m["Pavel Orlov"] == "Pavel Orlov"
    assert m["the Kremlin"] == m["Kremlin"] == "Kremlin"
    assert m["Clark"] == "Clark"  # two Clarks, equally frequent: left alone
    assert m["Foreign Ministry"] == "Lithuanian Foreign Ministry"
    assert merge_names(["Clark", "Anna Clark", "Anna Clark", "Tom Clark"])["Clark"] == "Anna Clark"
    assert merge_names([]) == {}


def test_may_hold_name_is_cheap_and_skips_plain_sentences():
    lower = {"negotiations", "the"}
    assert may_hold_name("Talks resumed in Geneva.", lower)
    assert may_hold_name("Orlov said nothing.", lower)  # never written in lower case
    assert not may_hold_name("Negotiations began late.", lower)
    assert not may_hold_name("But it was not enough.", lower)
    assert may_hold_name("The EU agreed.", lower)


def test_extract_entities_end_to_end():
    text = ("Interior Minister Pavel Orlov met Chancellor Greta Lindqvist in Stockholm on Monday.\n\n"
            "Orlov said the Lithuanian Foreign Ministry would send a note. The talks were long.\n\n"
            "The Foreign Ministry later confirmed it.")
    sents = split_sentences("d", text)
    ents = extract_entities("d", text, sents)
    by_text = {(e.text, e.label): e.canonical for e in ents}
    assert by_text[("Pavel Orlov", "PERSON")] == "Pavel Orlov"
    assert by_text[("Greta Lindqvist", "PERSON")] == "Greta Lindqvist"
    assert by_text[("Orlov", "PERSON")] == "Pavel Orlov"
    assert by_text[("Foreign Ministry", "ORG")] == "Lithuanian Foreign Ministry"
    assert all(text[e.start : e.end] == e.text for e in ents)
    assert all(e.sentence == next(s.index for s in sents if s.start <= e.start < s.end) for e in ents)
    assert not any(e.sentence == 2 and e.label == "PERSON" for e in ents)  # "The talks were long." untouched


def test_ner_runs_the_model_only_on_new_names(monkeypatch: pytest.MonkeyPatch):
    texts = ["Pavel Orlov visited Riga on Monday.", "Orlov met Greta Lindqvist in Riga.", "Then Orlov left Riga.",
             "On Monday Orlov was tired.", "Greta Lindqvist stayed in Riga."] * 3
    seen: list[str] = []
    model = nlp.entities

    def counting(batch, **kw):
        seen.extend(batch)
        return model(batch, **kw)

    monkeypatch.setattr(nlp, "entities", counting)
    found = ner_spans(texts, batch=2)
    assert len(seen) < len(texts)
    labelled = {(t[a:b], label) for t in seen for a, b, label, _ in model([t])[0]}
    for t, spans in zip(texts, found, strict=True):
        assert all((t[a:b], label) in labelled for a, b, label in spans)  # a lookup repeats a model reading


def test_merge_names_one_person_one_name():
    names = ["Barack Obama"] * 5 + ["Barak Obama", "Obama", "President Obama", "Katrina Barack Obama",
                                    "Thad Allen", "Thad Allen", "Adm Allen", "Thad W. Allen",
                                    "Steven Newman", "Steven Newman", "Steve Newman",
                                    "Hosni Mubarak", "Gamal Mubarak", "health officials", "officials",
                                    "Lithuanian Foreign Ministry", "Foreign Ministry", "Foreign Ministry"]
    m = merge_names(names)
    assert {m[n] for n in ("Barak Obama", "Obama", "President Obama", "Katrina Barack Obama")} == {"Barack Obama"}
    assert m["Adm Allen"] == m["Thad W. Allen"] == "Thad Allen"  # a title, a middle initial
    assert m["Steve Newman"] == "Steven Newman"  # within two edits, same surname and initial
    assert m["Hosni Mubarak"] != m["Gamal Mubarak"]  # two people of one family stay two
    assert m["officials"] == "officials"  # an unnamed source joins nothing
    assert m["Lithuanian Foreign Ministry"] == "Lithuanian Foreign Ministry"  # a qualifier, not a glued word
    assert merge_names(["BP"] * 9 + ["Carl-Henric Svanberg BP"])["BP"] == "BP"  # an acronym is no surname


def test_merge_names_a_shortened_or_familiar_first_name_is_the_same_person():
    m = merge_names(["Christina Vogel"] * 3 + ["Chris Vogel"] * 2 + ["Bill Ortega"] * 2 + ["William Ortega"]
                    + ["Jim Hale", "Tom Hale", "Tom Hale"])
    assert m["Chris Vogel"] == "Christina Vogel"  # the start of the fuller name
    assert m["William Ortega"] == "Bill Ortega"  # a diminutive and its full form: the more quoted one
    assert m["Jim Hale"] == "Jim Hale"  # two first names that are no forms of one another stay two people


def test_edit_distance():
    assert edit_distance("barak", "barack") == 1 and edit_distance("steve", "steven") == 1
    assert edit_distance("", "abc") == 3 and edit_distance("kitten", "sitting") == 3


def test_a_name_shouted_by_a_transcript_or_dateline_is_shown_as_prose_writes_it():
    forms = merge_names(["KRAKOW"] * 6 + ["Krakow"] * 2 + ["POLISH"] * 3 + ["Polish"] + ["NATO"] * 3 + ["Nato"]
                        + ["ANNA NOWAK"] * 2)
    assert forms["KRAKOW"] == forms["Krakow"] == "Krakow"
    assert forms["POLISH"] == "Polish"
    assert forms["Nato"] == "NATO"  # an acronym stays one
    assert forms["ANNA NOWAK"] == "ANNA NOWAK"  # capitals are kept when nothing else is written
