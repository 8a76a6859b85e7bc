from storyline.annotate.nlp import paragraphs, split_sentences


def test_sentences_keep_offsets_and_paragraphs():
    text = "First line here.\n\nSecond paragraph. It has two sentences.\nThird."
    sents = split_sentences("d", text)
    assert [s.text for s in sents] == ["First line here.", "Second paragraph.", "It has two sentences.", "Third."]
    assert all(text[s.start : s.end] == s.text for s in sents)
    assert [s.paragraph for s in sents] == [0, 1, 1, 2]
    assert [s.index for s in sents] == [0, 1, 2, 3]


def test_opening_quote_moves_to_the_next_sentence():
    text = '"We will wait," he said. "The agenda is clear."'
    sents = split_sentences("d", text)
    assert [s.text for s in sents] == ['"We will wait," he said.', '"The agenda is clear."']


def test_lowercase_continuation_after_closing_quote_is_joined():
    text = '"Is this the end?" she asked.'
    assert [s.text for s in split_sentences("d", text)] == [text]


def test_paragraph_spans_skip_blank_lines():
    assert paragraphs("a\n\n  \nb") == [(0, 1), (6, 7)]
    assert paragraphs("") == []
