"""Page furniture is told from prose (examples from real scraped news: Timeline17's Guardian, Fox News,
BBC, CNN and Reuters pages), and credits glued into a sentence are cut out as sentences of their own."""

from __future__ import annotations

import pytest

from storyline.annotate.nlp import split_sentences
from storyline.annotate.sentence_kind import (
    furniture_spans,
    is_prose,
    kind,
    looks_ahead,
    opens_on_pronoun,
    recurring,
    reports_speech,
    without_stamp,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("At 22:56 26th Apr 2009, Jericoa wrote: If this has been going on for weeks, why is there so little?", "comment"),
    ("At 9:46 pm on 05 May 2009, kenromford wrote: Please take all your belongings with you.", "comment"),
    ("January 28, 2011 05:21 pm at 5:21 pm | It's concerning that an Independent attacks Obama.", "comment"),
    ("February 2, 2011 at 9:47 am | Report abuse | I watch CNN 24/7 in every country I go to.", "comment"),
    ("June 4: A crew picks up oil on the beach at Grand Isle, Louisiana.", "caption"),
    ("Apr. 21: An oil slick is seen as the Deepwater Horizon oil rig burns in the Gulf of Mexico.", "caption"),
    ("Photograph: Dave Martin/AP", "credit"),
    ("Photograph: Sarah Lee for the Guardian", "credit"),
    ("By Maggie Fox, Health and Science Editor", "byline"),
    ("WASHINGTON | Thu Apr 30, 2009 4:32 pm EDT WASHINGTON (Reuters) -", "byline"),
    ("Thu May 27, 2010 12:32 pm", "byline"),
    ("Share your snow images with CNN iReport.", "promo"),
    ("Click here to follow the action all day.", "promo"),
    (", defended the $20 billion fund", "fragment"),
    ("said Reyes Alguilar, 62, a veteran of the force.", "fragment"),
    ("Egyptian President Hosni Mubarak stepped down Friday", "prose"),  # a headline states an event too
    ("Content and Programming Copyright 2010 Fox News Network, Inc. .", "promo"),
    ("A version appeared on p18 of the Main section of the Guardian on Wednesday 12 May 2010", "promo"),
    ("Shares in BP rose by 1.5% this morning to 430p.", "prose"),
    ("By Monday, they should have enough virus to begin the next stage.", "prose"),
    ("The World Health Organization declared a pandemic on June 11.", "prose"),
    ("eBay said on Tuesday it would cut 10 percent of its staff.", "prose"),
    # a comment header a scraper glued after the comment before it
    ("We have a problem...At 16:40 27th Apr 2011, greenowl wrote: maybe we are the lucky generation.", "comment"),
    ("All content of the Acme Indexes 2013 is proprietary to Acme & Company, Inc. .", "promo"),
    ("Quantex Research Systems Inc. 2013.", "promo"),
    ("The minister wrote to the council at 10:30 on Monday about the new clinics.", "prose"),
    ("By Dan Primack February 2, 2011: 2:24 PM ET", "byline"),
    ("January 27, 2011 | By Tim Lister and Emily Smith, CNN", "byline"),  # once cut from the lead
    ("By the CNN Wire Staff", "byline"),
    ("11th Day of Unrest in Egypt Aired February 4, 2011 - 16:00:00 ET THIS IS A RUSH TRANSCRIPT.", "promo"),
])
def test_kind(text: str, expected: str) -> None:
    assert kind(text) == expected
    assert is_prose(text) == (expected == "prose")


@pytest.mark.parametrize(("text", "expected"), [
    # captions by their picture phrasing or an agency before the date label, wherever a scraper left them
    ("Smoke billows from the burning platform, in this handout photograph taken on May 2, 2010.", "caption"),
    ("Reuters May 30: Volunteers wash a pelican at a rescue centre in Buras.", "caption"),
    ("EPA, Feb. 3: Protesters pray on a bridge over the Nile.", "caption"),
    ("In this aerial photo taken Friday, June 11, 2010, a boat skims oil off Grand Isle.", "caption"),
    ("This undated image provided by the Coast Guard shows a supply vessel next to the rig.", "caption"),
    ("FILE - A nurse gives a vaccine shot at a school in Denver on Oct. 26, 2009.", "caption"),
    ("Tar balls wash up in Alabama in an image released by the state on Sunday.", "caption"),
    ("Oil reaches a marsh in Venice, Louisiana, as seen in this picture from the Coast Guard.", "caption"),
    # a whole bracketed sentence that ends on the picture's place and date, with no stop: an agency caption
    ("(Two lion cubs sleep in their enclosure at the Berlin zoo, Germany, April 2, 2012)", "caption"),
    # a bracketed aside of the writer ends on a stop and stays prose
    ("(The ministry confirmed the figures on March 3, 2012.)", "prose"),
    ("(A spokeswoman for the port, Ana Silva, declined to comment on the closure.)", "prose"),
    # prose that names a picture
    ("He appeared in a photo with the ousted leader on Monday.", "prose"),
    ("BP released a video taken on April 21 showing the fire on the rig.", "prose"),
    ("The scene in a picture taken by a local fisherman was widely shared on Tuesday.", "prose"),
    ("In this case the photos were taken by a worker on Friday.", "prose"),
    ("The big problem in this picture is the greed that comes with the addiction.", "prose"),
    ("In this picture of politics as a pilgrimage, Marx is honored as a prophet.", "prose"),
    ("This image of BP as a reckless company took hold in May.", "prose"),
    ("20 April: Explosion on the Deepwater Horizon rig kills 11 workers.", "prose"),  # a key-dates box
])
def test_captions_are_told_by_their_picture_phrasing(text: str, expected: str) -> None:
    assert kind(text) == expected


def test_credit_and_wire_dateline_are_cut_out_of_the_sentence_they_were_glued_to() -> None:
    text = ("Photograph: Dave Martin/AP BP's woes deepened on Monday as oil reached the coast.\n"
            "U.S. official says fines should go to Gulf NEW ORLEANS | Tue Sep 28, 2010 8:50 pm EDT NEW ORLEANS "
            "(Reuters) - A large portion of fines that BP pays should go to the Gulf, an official said.")
    sentences = split_sentences("d", text)
    assert [s.text for s in sentences] == [
        "Photograph: Dave Martin/AP", "BP's woes deepened on Monday as oil reached the coast.",
        "U.S. official says fines should go to Gulf",
        "NEW ORLEANS | Tue Sep 28, 2010 8:50 pm EDT NEW ORLEANS (Reuters) -",
        "A large portion of fines that BP pays should go to the Gulf, an official said."]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert [kind(s.text) for s in sentences] == ["credit", "prose", "prose", "byline", "prose"]


def test_a_pull_quote_attribution_is_cut_from_the_sentence_it_runs_into() -> None:
    text = ("The board met on Monday.\n"
            'We will not walk away from the coast" End Quote Jane Roe Gulf Coast Alliance spokeswoman The well '
            "was sealed on 19 September, officials said.\n"
            'Nobody saw this coming" End Quote Statement from the mayor\'s office "We are ready," she said.')
    sentences = split_sentences("d", text)
    assert [s.text for s in sentences] == [
        "The board met on Monday.", 'We will not walk away from the coast"',
        "End Quote Jane Roe Gulf Coast Alliance spokeswoman", "The well was sealed on 19 September, officials said.",
        'Nobody saw this coming"', "End Quote Statement from the mayor's office", '"We are ready," she said.']
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert [kind(s.text) for s in sentences] == ["prose", "prose", "credit", "prose", "prose", "credit", "prose"]
    assert reports_speech('We will not walk away from the coast"')  # the repeated quotation dates nothing


@pytest.mark.parametrize("text, cut", [
    ("January 27, 2011 | By Tim Lister and Emily Smith, CNN Protesters used social media to organize.",
     "January 27, 2011 | By Tim Lister and Emily Smith, CNN "),
    ("By the CNN Wire Staff A woman holds a poster at a protest in Paris.", "By the CNN Wire Staff "),
])
def test_a_byline_glued_before_the_lead_is_cut_out(text: str, cut: str) -> None:
    assert [text[a:b] for a, b in furniture_spans(text)] == [cut]


@pytest.mark.parametrize("text, cut", [
    # a trade paper or any credited name after a dateline in capitals, with or without the wire's stamp
    ("Mon Mar 8, 2010 9:02 am EST NASHVILLE (Billboard) - The tour was cancelled on Friday.",
     "Mon Mar 8, 2010 9:02 am EST NASHVILLE (Billboard) - "),
    ("SAN JOSE, Calif. (MarketWatch) -- Shares of the chip maker fell on Monday.",
     "SAN JOSE, Calif. (MarketWatch) -- "),
])
def test_a_dateline_credits_any_name_after_a_place_in_capitals(text: str, cut: str) -> None:
    assert [text[a:b] for a, b in furniture_spans(text)] == [cut]
    # alone, a bracketed name before a dash is prose: "the talks (Geneva) - as they were called - failed"
    assert furniture_spans("The second round (Geneva) - as the press called it - failed on Monday.") == []


def test_wire_stamps_and_caption_ends_glued_into_the_text_are_cut_out() -> None:
    text = ("Storm forces ferry operators to halt crossings Saturday 12 March 2011 09.41 GMT Ferries between the "
            "two ports stayed in harbour on Saturday.\n"
            "Firefighters at the warehouse in the port of Gdynia, Poland, March 3, 2011) Who pays for the damage "
            "is still unclear.")
    sentences = split_sentences("d", text)
    assert [s.text for s in sentences] == [
        "Storm forces ferry operators to halt crossings", "Saturday 12 March 2011 09.41 GMT",
        "Ferries between the two ports stayed in harbour on Saturday.",
        "Firefighters at the warehouse in the port of Gdynia, Poland, March 3, 2011)",
        "Who pays for the damage is still unclear."]
    assert [kind(s.text) for s in sentences] == ["prose", "byline", "prose", "caption", "prose"]


@pytest.mark.parametrize("text, expected", [
    ("KRAKOW, Poland\\/BERLIN | Mon Mar 7, 2011 6:02 pm EST KRAKOW, Poland\\/BERLIN", "byline"),
    ("Report Mon Mar 7, 2011 6:02 pm", "byline"),
    ("(Two firefighters rest outside the warehouse in Gdynia, Poland, March 3, 2011)", "caption"),
    ("Mayor Anna Nowak (L) talks to firefighter Jan Kos (C) outside the warehouse in Gdynia March 3, 2011.",
     "caption"),
    ("Firefighter Jan Kos (2nd R) rests outside the warehouse.", "caption"),
    # one "(R)" is a party or a trademark, not a place in a picture
    ("Governor Jane Doe (R) said the state would sue the company.", "prose"),
])
def test_wire_datelines_and_captions_in_their_agency_forms(text: str, expected: str) -> None:
    assert kind(text) == expected


@pytest.mark.parametrize("text, shown", [
    ("NEW ORLEANS--The ferry company said on Monday it would sue.", "The ferry company said on Monday it would sue."),
    ("AP GDYNIA, Poland--Firefighters worked through Saturday.", "Firefighters worked through Saturday."),
])
def test_a_dateline_run_into_the_lead_is_no_part_of_a_row(text: str, shown: str) -> None:
    assert without_stamp(text) == shown


def test_a_sentence_without_furniture_is_left_whole() -> None:
    assert furniture_spans("BP said on Monday that the cap was holding.") == []


def test_opens_on_pronoun() -> None:
    assert opens_on_pronoun("They will later continue drilling the relief well.")
    assert opens_on_pronoun('"It was a disaster," he said on Friday.')
    assert not opens_on_pronoun("Thad Allen said they will later continue drilling.")
    assert not opens_on_pronoun("Theirs was the first rig to arrive.")
    assert opens_on_pronoun("It's a fascinating insight into the events on the rig.")
    assert opens_on_pronoun("that BP had to pay a lot of money this year")  # a clause cut from its sentence


@pytest.mark.parametrize("text, expected", [
    ('"We capped the well on Thursday," BP chief executive Tony Hayward said.', True),
    ('Peskov\'s quote: "The desire of the United States to listen to our concerns is there."', True),
    ('"We will fix it.', True),  # a quote that runs on into the next sentence
    ('The only question is we do not know when," he said.', True),  # ... and its end
    ("The spill, which he called \"the worst environmental disaster\", began on April 20.", False),
    ('So-called "security guarantees" were published on December 17.', False),
    ("BP said on Monday that it would cut 200 jobs.", False),  # reported speech is the reporter's sentence
    ('"We will fix it," Hayward said on Thursday, as engineers lowered a second cap onto the well.', False),
])
def test_reports_speech(text: str, expected: bool) -> None:
    assert reports_speech(text) is expected


@pytest.mark.parametrize("text, time_text, expected", [
    ("The inquiry's findings will be published on Thursday.", "on Thursday", True),
    ("Negotiators are expected to meet again next week in Vienna.", "next week", True),
    ("The airline plans to resume flights to Lisbon in March.", "in March", True),
    ("The verdict is due on Friday.", "on Friday", True),
    ("The first lift is expected at about noon on Thursday, a spokeswoman said.", "on Thursday", True),
    ("The summit, to be held in Oslo on 4 May, is the first in a decade.", "on 4 May", True),
    ("On Monday, the council will vote on the budget.", "On Monday", True),
    ("The minister said she would visit the flooded towns on Saturday.", "on Saturday", True),
    ("Engineers will today begin pumping water out of the mine.", "today", True),
    ("The court had hoped to deliver its ruling on Wednesday.", "on Wednesday", True),
    ("The committee met in Oslo on 4 May.", "on 4 May", False),
    ("The minister said on Saturday that she would visit the flooded towns.", "on Saturday", False),
    ("The mayor, who will step down next year, opened the bridge on Tuesday.", "on Tuesday", False),
    ("On Monday, the council pledged to cut the budget.", "On Monday", False),  # the pledge is Monday's
    ("Flights were cancelled until 22 May.", "until 22 May", False),
    ("The flood could have been avoided in March.", "in March", False),
    ("Last week the union vowed to strike.", "Last week", False),
    ("In May the factory closed its doors.", "In May", False),
    ("The delay was due to a storm on Friday.", "on Friday", False),
    ("The strike, which began on Monday, will go on.", "on Monday", False),
])
def test_looks_ahead(text: str, time_text: str, expected: bool) -> None:
    assert looks_ahead(text, time_text) is expected


@pytest.mark.parametrize("text, time_text, expected", [
    # a yearly period stated in the present: the calendar's days, not a happening's
    ("The monsoon season lasts from mid-June to September, and forecasters expect heavy rain.", "September", True),
    ("The city's financial year ends on 31 March.", "31 March", True),
    ("Skiers flock to the resort for the winter season, which runs until the end of April.", "the end of April",
     True),
    ("The ministry's yearly report on the grouse season opening on 12 August said stocks had fallen.",
     "12 August", True),
    # a habit: an adverb of frequency governs the date, or "every year" follows it
    ("Growers say the valley usually harvests most of its grapes in September.", "September", True),
    ("Normally the first frost does not arrive until late October, a forecaster said.", "late October", True),
    ("The village holds its fair on 15 August every year.", "15 August", True),
    # one year's instance: a past verb, a weekday, a year, or a verb group after the adverb
    ("The grouse season opened on 12 August with fewer birds than in any year since 2001.", "12 August", False),
    ("The football season starts on Saturday.", "Saturday", False),
    ("The 2012 season ends on 30 November 2012.", "30 November 2012", False),
    ("Results, normally published in March, will now be released on 2 May.", "2 May", False),
    ("The ferry sank on 3 May.", "3 May", False),
    ("The truce ends on 30 November.", "30 November", False),  # one truce's end, not a yearly period
])
def test_recurring(text: str, time_text: str, expected: bool) -> None:
    assert recurring(text, time_text) is expected


def test_transcript_lines_stay_searchable_but_are_no_timeline_events() -> None:
    from datetime import date

    from storyline.annotate.document import annotate
    from storyline.model import Document

    text = ("The health ministry opened twenty new clinics on Monday, officials in the capital confirmed.\n"
            "HOST: The ministry said on Monday that twenty clinics had opened across the country.\n"
            "MARTA KOVAC, MINISTER OF HEALTH: We opened them on Monday. I visited three of them on Tuesday.")
    a = annotate(Document("d", text, published=date(2011, 2, 2)))
    assert len(a.sentences) == 4  # stored and searchable
    assert [m.sentence for m in a.mentions] == [0]  # only the reporter's own sentence is an event


def test_the_comments_a_page_prints_after_its_article_are_no_timeline_events() -> None:
    from datetime import date

    from storyline.annotate.document import annotate
    from storyline.model import Document

    text = ("The health ministry opened twenty new clinics on Monday.\n"
            "How has the outbreak affected you?\nThis debate is now closed.\n"
            "A selection of your comments appear below.\n"
            "I queued at the chemist for two hours today and they had run out of masks.\n"
            "Life today is one crisis after another.\n")
    a = annotate(Document("d", text, published=date(2011, 2, 2)))
    assert len(a.sentences) == 6  # stored and searchable
    assert [m.sentence for m in a.mentions] == [0]
    # the form's small print promises nothing follows
    form = ("Twenty clinics opened across the country on Monday.\n"
            "A selection of your comments may be published, displaying your name.\n"
            "Stocks of masks ran out on Tuesday, the ministry said.\n")
    assert [m.sentence for m in annotate(Document("e", form, published=date(2011, 2, 2))).mentions] == [0, 2]
    # or the first comment's stamp: the comments run on to the page's end
    blog = ("Protesters marched on the ministry on Friday, police said.\n"
            "February 3, 2011 at 8:05 am | Report abuse | Nobody listens to us today.\n"
            "Yesterday the square was quiet again.\n")
    assert [m.sentence for m in annotate(Document("f", blog, published=date(2011, 2, 4))).mentions] == [0]


@pytest.mark.parametrize(("text", "shown"), [
    ("(AP Photo) Firefighters reached the warehouse on Sunday.", "Firefighters reached the warehouse on Sunday."),
    ("(Reuters Photo/Jane Roe) Rescuers found two miners on Tuesday.", "Rescuers found two miners on Tuesday."),
    ("(AFP) - The central bank cut rates on Friday.", "The central bank cut rates on Friday."),
    ("4.15 pm: The speaker suspends the session for an hour.", "The speaker suspends the session for an hour."),
    ("10.47am: Police close the bridge to all traffic.", "Police close the bridge to all traffic."),
    ("0930 GMT: Markets in Tokyo opened sharply lower.", "Markets in Tokyo opened sharply lower."),
    ("18.05 BST Voting has closed in all constituencies.", "Voting has closed in all constituencies."),
    ("Monday, March 7, 2011; 10:12 AM The senate passed the budget bill overnight.",
     "The senate passed the budget bill overnight."),
    ("(Update 6:40 p.m. local time, 1:40 p.m. ET) Troops withdrew from the border town.",
     "Troops withdrew from the border town."),
    # prose that opens on a figure, a day, a year label or a bracketed name keeps its opening
    ("10.30 was the hour the vote was set for on Monday.", "10.30 was the hour the vote was set for on Monday."),
    ("3.5 million barrels leaked by July 15.", "3.5 million barrels leaked by July 15."),
    ("Monday, the health ministry said it found new cases.", "Monday, the health ministry said it found new cases."),
    ("1918: The Spanish flu killed millions worldwide.", "1918: The Spanish flu killed millions worldwide."),
    ("(WHO) officials said on Monday the virus spread.", "(WHO) officials said on Monday the virus spread."),
    ("2 am is when the looting began, police said.", "2 am is when the looting began, police said."),
])
def test_a_stamp_or_bracketed_credit_is_cut_from_the_start(text, shown):
    assert without_stamp(text) == shown


def test_a_stamp_stays_when_it_holds_the_date_a_line_must_name():
    text = "Monday, March 7, 2011; 10:12 AM The senate passed the budget bill overnight."
    assert without_stamp(text, keep="March 7, 2011") == text
