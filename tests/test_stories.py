from collections import Counter

from storyline.link.stories import StoryIndex, features, tfidf
from storyline.model import Document, Entity

QUAKE = [
    ("Earthquake kills dozens in Turkey", "A powerful earthquake struck south-eastern Turkey on Monday, "
     "killing dozens of people and destroying buildings in Gaziantep, officials said."),
    ("Turkey earthquake death toll rises", "Rescuers searched collapsed buildings in Gaziantep as the death "
     "toll from the earthquake in Turkey rose, the disaster agency said."),
]
RATES = ("Central bank raises interest rates", "The central bank raised interest rates by half a point on "
         "Thursday to fight inflation, the governor told reporters.")


def run(articles, ents=None):
    df: Counter = Counter()
    vecs = []
    for i, (title, text) in enumerate(articles):
        doc = Document(id=f"d{i}", text=text, title=title)
        counts = features(doc, (ents or {}).get(i, []))
        df.update(counts.keys())
        vecs.append((doc, counts))
    index = StoryIndex([])
    return [index.assign(doc, tfidf(counts, df, len(articles)))[0] for doc, counts in vecs], index


def test_related_articles_join_and_unrelated_one_does_not():
    ids, index = run(QUAKE + [RATES])
    assert ids[0] == ids[1]
    assert ids[2] != ids[0]
    assert index.stories[ids[0]].size == 2


def test_entities_pull_articles_together():
    e = {i: [Entity(f"d{i}", 0, 0, 9, "Gaziantep", "GPE", "Gaziantep")] for i in range(2)}
    ids, _ = run(QUAKE, e)
    assert ids[0] == ids[1]


def test_story_ids_are_deterministic():
    assert run(QUAKE + [RATES])[0] == run(QUAKE + [RATES])[0]
