import math

from storyline.text import TermWeights, content_terms, cosine, jaccard, tfidf_matrix, unit


def test_content_terms_stem_and_drop_stop_words():
    assert content_terms("The ministers said they were meeting in Geneva's talks") == ["minist", "meet", "geneva",
                                                                                        "talk"]
    assert content_terms("") == []


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), {"a"}) == 0.0


TEXTS = ["Oil leaked from the rig after the explosion on April 20", "The rig exploded and oil leaked into the gulf",
         "BP said the well was capped", "Capping the well stopped the leak of oil oil oil"]


def test_one_tf_idf_as_dict_vectors_and_as_matrix_rows():
    """The dict vectors (event merging, key dates) and the sparse rows (claims, summaries) are one weighting."""
    weights = TermWeights(TEXTS)
    x = tfidf_matrix(TEXTS)
    vocab = sorted({t for text in TEXTS for t in content_terms(text)})  # scikit-learn's column order
    for i, text in enumerate(TEXTS):
        row = {vocab[j]: v for j, v in zip(x[i].indices, x[i].data, strict=True)}
        vec = weights.vector(text)
        assert row.keys() == vec.keys()
        assert all(math.isclose(row[t], vec[t], rel_tol=1e-12) for t in vec)
    # a repeated term counts sublinearly, a rare one weighs more than a common one
    assert weights.idf("oil") < weights.idf("gulf")
    assert weights.vector(TEXTS[3])["oil"] > weights.vector(TEXTS[3])["leak"]


def test_unseen_terms_and_term_vectors():
    weights = TermWeights(TEXTS)
    assert weights.idf("volcano") == math.log(len(TEXTS) + 1) + 1  # the smoothed maximum
    assert TermWeights(TEXTS, unseen=1.0).idf("volcano") == 1.0
    assert weights.term_vector(content_terms(TEXTS[0])) == weights.vector(TEXTS[0])
    assert weights.vector("") == {}


def test_cosine_of_unnormalised_centroids():
    a = {"oil": 1.0}
    centroid = {"oil": 2.0, "rig": 2.0}  # a sum of two unit vectors, longer than 1
    assert math.isclose(cosine(a, centroid), 1 / math.sqrt(2))
    assert math.isclose(cosine(centroid, a), cosine(a, centroid))
    assert math.isclose(cosine(unit(centroid), centroid), 1.0)
    assert cosine({}, a) == 0.0
