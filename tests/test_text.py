from storyline.text import content_terms, jaccard


def test_content_terms_stem_and_drop_stop_words():
    assert content_terms("The ministers said they were meeting in Geneva's talks") == ["minist", "meet", "geneva",
                                                                                        "talk"]
    assert content_terms("") == []


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), {"a"}) == 0.0
