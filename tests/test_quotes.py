"""Quote extraction on hand-written news text in many styles (never the bundled example articles)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.annotate.entities import extract_entities
from storyline.annotate.nlp import split_sentences
from storyline.annotate.quotes import extract_quotes, find_quotations


def quotes(text: str):
    sents = split_sentences("t", text)
    found = extract_quotes("t", text, sents, extract_entities("t", text, sents))
    for q in found:
        assert q.text in text[q.start : q.end]
    return found


def one(text: str, kind: str | None = None):
    found = [q for q in quotes(text) if kind is None or q.kind == kind]
    assert len(found) == 1, found
    return found[0]


INTRO = "Interior Minister Pavel Orlov spoke to reporters in Vilnius on Tuesday.\n\n"


@pytest.mark.parametrize("text, words", [
    ('"The border will stay open," Orlov said.', "The border will stay open"),
    ('"The border will stay open," said Orlov.', "The border will stay open"),
    ('Orlov said: "The border will stay open."', "The border will stay open."),
    ('"The border will stay open" – Orlov concluded.', "The border will stay open"),
    ('"The border will stay open,"- Orlov concluded.', "The border will stay open"),
    ('Orlov\'s quote: "The border will stay open for every lorry."', "The border will stay open for every lorry."),
    ('"The border will stay open," Orlov told a news briefing.', "The border will stay open"),
    ('According to Orlov, "the border will stay open for now."', "the border will stay open for now."),
    ('Orlov told the state broadcaster on Friday: "The border will stay open."', "The border will stay open."),
])
def test_frames_name_the_speaker(text: str, words: str):
    q = one(INTRO + text, "direct")
    assert q.speaker == "Pavel Orlov"
    assert q.text == words


def test_pronoun_resolves_to_the_last_person_speaker():
    text = (INTRO + 'Orlov said the talks had stalled. "We will not sign anything this week," he explained.')
    q = one(text, "direct")
    assert (q.speaker, q.speaker_text, q.cue) == ("Pavel Orlov", "he", "explained")


def test_she_skips_a_man_and_finds_the_spokeswoman():
    text = ("Foreign Ministry spokeswoman Anna Kessler met Interior Minister Pavel Orlov on Monday.\n\n"
            "Mr. Orlov said the meeting had been useful.\n\n"
            '"There is nothing more to add," she said.')
    assert one(text, "direct").speaker == "Anna Kessler"


def test_second_part_after_he_said_keeps_the_speaker():
    text = INTRO + '"We will wait," he said. "The agenda is clear and nothing has changed."'
    found = [q for q in quotes(text) if q.kind == "direct"]
    assert [q.text for q in found] == ["We will wait", "The agenda is clear and nothing has changed."]
    assert {q.speaker for q in found} == {"Pavel Orlov"}


def test_interrupted_quote_has_one_speaker():
    text = INTRO + "“We will not close it,” Orlov said, “but we will check every lorry that crosses.”"
    found = quotes(text)
    assert [q.speaker for q in found] == ["Pavel Orlov", "Pavel Orlov"]
    assert found[1].text.startswith("but we will check")


def test_quote_continues_over_paragraphs():
    text = (INTRO + "“The first lorries crossed at dawn. More are waiting at the checkpoint.\n\n"
            "“Nobody will be turned away without a reason,” Orlov said.\n\nThe queue grew by noon.")
    found = quotes(text)
    assert len(found) == 2 and all(q.kind == "direct" and q.speaker == "Pavel Orlov" for q in found)
    assert found[0].text.startswith("The first lorries") and found[1].text.startswith("Nobody will be")
    assert found[0].sentence < found[1].sentence


def test_multi_sentence_quote_is_one_quote():
    q = one(INTRO + '"We are ready. The lorries are ready. Only the paperwork is missing," Orlov said.', "direct")
    assert q.text == "We are ready. The lorries are ready. Only the paperwork is missing"


def test_quote_only_paragraph_after_an_attributed_one_continues_the_speaker():
    text = (INTRO + '"We will keep the crossing open," Orlov said.\n\n"Trade cannot wait for politics."')
    found = quotes(text)
    assert [q.speaker for q in found] == ["Pavel Orlov", "Pavel Orlov"]


def test_partial_quote_inside_reported_speech():
    q = one(INTRO + 'Orlov said the government was preparing measures "to protect the eastern farms" this year.')
    assert (q.kind, q.speaker, q.text) == ("partial", "Pavel Orlov", "to protect the eastern farms")


@pytest.mark.parametrize("text", [
    'The broadcaster aired a documentary titled "Border.Nation.Power" on Sunday evening.',
    'The ministry published two papers on so-called "transit guarantees" that the cabinet wanted.',
    'Farmers gathered at the "Green Gate" crossing near the river.',
])
def test_titles_and_scare_quotes_are_not_quotes(text: str):
    assert [q for q in quotes(INTRO + text) if q.kind != "indirect"] == []


def test_organisation_speaker_through_it_and_statement():
    text = ("Grain exports will resume next month, the Interior Ministry said on Friday.\n\n"
            '"The decision follows a review of every crossing," it said in a statement.\n\n'
            '"Safety remains the first concern," the ministry statement added.')
    found = quotes(text)
    assert found[0].kind == "indirect" and found[0].speaker == "Interior Ministry"
    direct = [q for q in found if q.kind == "direct"]
    assert [q.speaker for q in direct] == ["Interior Ministry", "Interior Ministry"]
    assert direct[0].speaker_text == "it"


def test_short_organisation_name_takes_the_full_name():
    text = ("The Lithuanian Foreign Ministry summoned the ambassador on Monday.\n\n"
            "The Foreign Ministry said that the protest note had been delivered by hand.")
    q = one(text, "indirect")
    assert q.speaker == "Lithuanian Foreign Ministry"


def test_indirect_speech_is_the_that_clause():
    q = one(INTRO + "Orlov said that no date for the reopening had been set.", "indirect")
    assert (q.speaker, q.cue, q.text) == ("Pavel Orlov", "said", "no date for the reopening had been set")


def test_indirect_speech_without_that_and_after_the_clause():
    found = quotes(INTRO + "The crossing will reopen on Monday, Orlov told reporters.\n\n"
                           "Orlov added the checks would take weeks.")
    assert [(q.kind, q.speaker) for q in found] == [("indirect", "Pavel Orlov"), ("indirect", "Pavel Orlov")]
    assert found[0].text == "The crossing will reopen on Monday"


def test_role_noun_resolves_to_the_person_introduced_with_it():
    text = ("Government spokeswoman Ilona Varga opened the briefing.\n\n"
            '"The decree is final," the spokeswoman said.')
    q = one(text, "direct")
    assert (q.speaker, q.speaker_text) == ("Ilona Varga", "the spokeswoman")


@pytest.mark.parametrize("text", [
    "«Nous ne fermerons pas la frontière», a déclaré Orlov. Orlov said: «We will not close the border.»",
    "Orlov said: „We will not close the border.“",
    "Orlov said: “We will not close the border.”",
    "Orlov said: \"We will not close the border.\"",
])
def test_quotation_mark_styles(text: str):
    found = [q for q in quotes(INTRO + text) if q.text.startswith("We will not close")]
    assert len(found) == 1 and found[0].speaker == "Pavel Orlov"


def test_unnamed_source_is_its_description_not_a_guess():
    q = one('"Nobody expected the bridge to fall," a witness said.', "direct")
    assert q.speaker == "a witness" and q.speaker_text == "a witness"


def test_scanner_pairs_marks_and_links_paragraphs():
    text = "“One two three\n\n“four five” and «six»"
    paras = [(0, 14), (16, len(text))]
    segs = find_quotations(text, paras)
    assert [text[s.start : s.end] for s in segs] == ["One two three", "four five", "six"]
    assert segs[0].close is None and segs[0].chain == segs[1].chain != segs[2].chain


def test_apostrophes_are_not_quotes():
    assert find_quotations("The ’90s and Orlov’s plan", [(0, 25)]) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("ab Xy,.:;!?\n\"“”„«»‘’'–-") + ["Orlov", " said ", " told ", " that ", "He",
                                                                     " it ", "According to ", "'s quote"]),
                max_size=60).map("".join) | st.text(max_size=120))
def test_never_raises_and_text_is_inside_the_span(text: str):
    sents = split_sentences("h", text)
    for q in extract_quotes("h", text, sents, []):
        assert 0 <= q.start <= q.end <= len(text)
        assert q.text in text[q.start : q.end]
        assert q.kind in ("direct", "partial", "indirect")


# -- one canonical speaker: names that run across a boundary, sentence adverbs, typos, lines, pronouns --------


@pytest.mark.parametrize("first, full", [("Barack", "Barack Obama"), ("Maria", "Maria Kovalenko")])
def test_a_word_before_a_name_is_not_part_of_it(first: str, full: str):
    surname = full.split()[-1]
    text = (f"{full} flew to the coast on Monday.\n\nFive years after hurricane Katrina {full} surveys the "
            f"damage in Louisiana.\n\n\"We will not rest,\" {surname} said.")
    sents = split_sentences("t", text)
    ents = extract_entities("t", text, sents)
    assert all(not e.text.startswith("Katrina ") for e in ents)
    assert one(text).speaker == full


@pytest.mark.parametrize("adverb", ["Thankfully", "Separately", "Meanwhile"])
def test_a_sentence_adverb_is_not_a_first_name(adverb: str):
    text = (f"Barack Obama met the families in Grand Isle.\n\n{adverb} Obama said the government would pay "
            "for the clean-up of the beaches.")
    assert one(text, "indirect").speaker == "Barack Obama"


def test_a_quote_of_several_lines_keeps_its_speaker():
    """Texts written one sentence a line: the quote opens on one line and closes on the next."""
    text = ("BP chief executive Tony Hayward visited Louisiana on Monday.\nHayward told the Guardian that BP would "
            "fix the disaster.\n\"We will fix it.\nI guarantee it,\" he told the newspaper.\nThe well kept leaking.")
    direct = [q for q in quotes(text) if q.kind == "direct"]
    assert [q.text for q in direct] == ["We will fix it.", "I guarantee it"]
    assert {q.speaker for q in direct} == {"Tony Hayward"}


def test_an_unframed_quote_continues_the_last_speaker_a_few_lines_back():
    text = ("Mr Robin's wife, Lisa, says the spill has hurt the whole family.\n\"At home, it doesn't feel like home "
            "any more.\nThe stress level is so high,\" she says.\n\"We're watching the news every day.\nIt's the "
            "first thing I think about.\"")
    found = quotes(text)
    assert found and {q.speaker for q in found} == {"Lisa"}  # never the possessor, Robin


@pytest.mark.parametrize("subject, speaker", [
    ("The company", "BP"), ("The oil giant", "BP"), ("The WHO", "WHO"),
    ("Canadian health officials", "Canadian health officials"), ("Some experts", "experts"),
    ("Officials", "officials"), ("A departmental spokesman", "a departmental spokesman"),
])
def test_descriptions_resolve_to_a_name_or_stand_for_an_unnamed_source(subject: str, speaker: str):
    text = (f"BP shares fell on Monday and the WHO met in Geneva.\n\n{subject} said the leak had been stopped "
            "at last.")
    assert one(text, "indirect").speaker == speaker


def test_a_pronoun_after_an_unnamed_source_is_that_source():
    text = "A departmental spokesman said there were three more cases.\n\n\"We are ready,\" he said."
    assert {q.speaker for q in quotes(text)} == {"a departmental spokesman"}


def test_a_quote_standing_after_a_sentence_about_a_person_is_theirs():
    text = ("Louisiana Gov. Bobby Jindal scoffed at the federal protest after touring the site.\n\"This is a "
            "disaster for our state.\nWe cannot wait for more conference calls.\"")
    found = quotes(text)
    assert len(found) == 2 and {q.speaker for q in found} == {"Bobby Jindal"}
    assert all(q.speaker_text is None for q in found)  # no mention of the speaker to point at


def test_credits_and_datelines_are_never_speakers():
    """A credit glued into a sentence is cut out by the splitter; a wire dateline's agency is not what "the
    oil giant" or "it" stands for."""
    found = quotes("Photograph: Dave Martin/AP BP's woes deepened on Tuesday, the company said.")
    assert found and {q.speaker for q in found} == {"BP"}
    found = quotes("WASHINGTON (Reuters) - The oil giant said it would pay for the clean-up of the coast.")
    assert found and all(q.speaker != "Reuters" for q in found)


# Speakers the article gives only by a transcript label, a byline, a description or a handle (issue 12).


def test_transcript_label_is_who_says_i_and_the_other_party_is_you():
    text = ("HOST: Good evening.\nMARTA KOVAC, MINISTER OF HEALTH: I said last week that the clinics would stay open.\n"
            "HOST: And you said the vaccine would come by March?\nKOVAC: We told the hospitals that the supplies are "
            "on their way.")
    found = quotes(text)
    assert [(q.speaker_text, q.speaker) for q in found] == [
        ("I", "Marta Kovac"), ("you", "Marta Kovac"), ("We", "Marta Kovac")]


def test_outside_a_transcript_we_and_you_are_the_writer_and_i_is_the_byline():
    assert quotes("We must say that the ministry handled the outbreak badly. As you said, the queues were long.") == []
    q = one("By Lena Marsh, Health correspondent\nI told the minister that the queues were far too long.")
    assert q.speaker == "Lena Marsh"
    assert one("I told the minister that the queues were far too long.").speaker is None  # nobody to resolve to


def test_he_or_she_with_nobody_named_is_the_person_just_described():
    q = one('A spokeswoman for Harlow Energy declined to discuss the leak.\n'
            '"We are working with the coast guard around the clock," she said.')
    assert q.speaker == "a spokeswoman"
    q = one('Harlow Energy closed the platform.\n"We are working around the clock," she said.')
    assert q.speaker is None  # an organisation is not "she"


@pytest.mark.parametrize("text, speaker", [
    ('"The banks passed the test," said one of the sources on condition of anonymity.', "sources"),
    ("At 15:32 on 26 April 2011, riverfox77 wrote: the clinics in my town are already full.", "riverfox77"),
    ("The fishing season will not reopen soon, oceanographers say.", "oceanographers"),
    ("The reef will take years to recover, one pharmacist said.", "a pharmacist"),
    ("The spill is smaller than feared, according to research published on Tuesday by a journal.", "research"),
    ("Prices will keep rising, oil companies say.", "oil companies"),
])
def test_unnamed_sources_are_shown_as_the_article_words_them(text, speaker):
    assert one(text).speaker == speaker


def test_a_transcript_turn_runs_on_over_unlabelled_paragraphs():
    from storyline.annotate.quotes import transcript_speakers

    text = ("The talks went on late into the night.\nBLITZER: Ambassador, thank you for joining us.\n"
            "SHOUKRY: Thank you, Wolf.\nI said on Monday that the transition would be orderly.\n"
            "ARWA DAMON, CNN CORRESPONDENT (on camera): We are seeing the military take a bigger role.")
    sents = split_sentences("t", text)
    assert transcript_speakers(sents) == {1: "Blitzer", 2: "Shoukry", 3: "Shoukry", 4: "Arwa Damon"}
    assert one(text).speaker == "Shoukry"
    # two lines of one label are no conversation: nothing runs on
    two = "NOTE TO READERS: The clinic is closed.\nWe opened it in May.\nNOTE TO READERS: It reopens soon."
    assert sorted(transcript_speakers(split_sentences("t", two))) == [0, 2]


def test_a_title_after_a_quote_does_not_continue_its_speaker():
    found = quotes('"Promise you will keep your hands in sight," Blige told the crowd.\n"American Skin (41 Shots)"')
    assert [q.speaker for q in found] == ["Blige"]  # the song title is no quote of hers


def test_a_short_sentence_after_a_quote_continues_its_speaker_though_its_words_are_capitalised():
    # "Neither do I." and "The Donald. Big Daddy." read as titles under a loose capitals rule; a title's small
    # words are articles and prepositions, and a title holds no second sentence
    found = quotes('"Does anybody know what the party stands for?" Orlov asked. "Neither do I."')
    assert [q.speaker for q in found] == ["Orlov", "Orlov"]
    found = quotes('"Here comes the boss," Orlov said, laughing. "The Chief. Big Man."')
    assert [q.speaker for q in found] == ["Orlov", "Orlov"]
    found = quotes('"We cannot wait any longer," Orlov told the crowd.\n"Born to Run"')
    assert [q.speaker for q in found] == ["Orlov"]  # a title after his words is no quote of his


def test_a_nationality_or_place_before_the_head_noun_is_not_the_speaker():
    # "the British oil giant" is the company, "a Louisiana shrimper" a shrimper: never "British", "Louisiana"
    q = quotes("Chevron said the pipeline was safe. Later the American energy giant stated: "
               '"We have the capability to respond to any discharge."')
    assert q[-1].speaker == "Chevron"
    assert one('"We lost everything this spring," a Louisiana shrimper said.').speaker == "a Louisiana shrimper"
    assert one('Some French farmers said the floods had ruined the harvest.').speaker == "French farmers"


def test_a_relative_clause_between_commas_does_not_hide_the_speaker():
    q = one('Harbour pilot Anita Kowalczyk, who has worked the river for 30 years, said: "I have never seen '
            'the water this low."')
    assert q.speaker == "Anita Kowalczyk"
    q = one('A spokeswoman for the Baltic Ferry Union in Gdansk, which represents most of the crews, said: '
            '"The strike will go on."')
    assert q.speaker == "Baltic Ferry Union"  # the role's organisation, not the city after it
    q = one('Tomas Varga, 58, a lecturer in law at Charles University and author of Dry Rivers, a book about '
            'drought in Hungary, said: "Nobody planned for this."')
    assert q.speaker == "Tomas Varga"  # appositives between commas, not the country at their end


def test_a_place_before_an_x_based_name_only_says_where_it_is_based():
    # "Naperville, Illinois-based Nalco said": the parser makes the town the subject, the company its appositive
    q = one('Leeds, Yorkshire-based Arlow Foods said it would recall every jar sold since March.')
    assert q.speaker == "Arlow Foods"
    q = one('Harbour pilot Anita Kowalczyk, a Gdansk-based union leader, said the strike would go on.')
    assert q.speaker == "Anita Kowalczyk"


def test_the_terms_of_anonymity_are_not_a_quote():
    # "who asked not to be named" says how the source is written up, not anything said about the story
    q = one('One dock worker, who asked not to be identified because he feared for his job, said the cranes '
            'had been idle for a week.')
    assert q.text == "the cranes had been idle for a week"
    assert quotes("The clerk, who requested that her name not be used, was fired on Monday.") == []
    q = one("The mayor asked residents to stay indoors until the storm had passed.")
    assert q.cue == "asked"  # a request that is news stays one


def test_a_company_suffix_run_into_a_name_is_no_part_of_it():
    text = ("Press officer Karin Holm said the photographs had been edited.\n"
            "Nordvik Ferries AB\nLLC Holm says the company put the originals online on Monday.")
    assert {q.speaker for q in quotes(text)} == {"Karin Holm"}


def test_a_plural_that_opens_the_sentence_is_described_not_named():
    # "Forecasters suggest …", "Members of the research team have said …": capitals of the sentence, not names
    assert one("Forecasters said the storm could reach the coast by Friday.").speaker == "forecasters"
    assert one("Members of the survey team said the reef was recovering.").speaker == "members"
    assert one("Vattenfall said the plant would reopen in May.").speaker == "Vattenfall"


def test_a_noun_before_a_colon_is_no_speech_verb():
    q = one('Port director Marek Zielinski told reporters on a conference call: "We expect the first ships '
            'on Monday."')
    assert q.speaker == "Marek Zielinski"


def test_a_described_source_takes_its_article():
    assert one('"We are ready," an administration official said.').speaker == "an administration official"
    assert one('"We are ready," a US official said.').speaker == "a US official"


def test_a_surname_takes_one_full_name_whatever_the_hash_seed():
    # "PETER TURNLEY" (as the text writes it) and "Peter Turnley" (its transcript label) tie on length: the
    # choice was the set's order, so two runs of the same articles could name the speaker differently
    from storyline.annotate.quotes import _Context
    from storyline.model import Sentence

    ctx = _Context("Turnley said so.", [Sentence("d", 0, 0, 16, "Turnley said so.", 0)], [], lambda i: False,
                   lambda i: 0)
    ctx.full_names = {"PETER TURNLEY", "Peter Turnley", "Ann Turnley"}
    assert ctx.match_name("Turnley") == ("Peter Turnley", "PERSON")
