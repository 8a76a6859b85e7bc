"""The sentence encoder (``link.embed``): MiniLM's tokenizer and weights run by a few lines of torch, so a
process that embeds (each annotation worker) loads it at almost no cost. It must compute what
sentence-transformers computes for the same model, and must not import the libraries it replaces."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from storyline.link import embed

TEXTS = [
    "BP capped the well on 15 July.",
    "The leaking oil was stopped on 15 July when BP closed a new cap",
    "Egypt's army said it would not use force against protesters in Tahrir Square, Cairo.",
    "Ünïcödé, accents and \u201cquotes\u201d \u2014 and a dash",
    "word " * 200,  # past MAX_TOKENS: truncated
    "",
]


def test_loading_the_encoder_imports_neither_transformers_nor_sentence_transformers():
    code = ("import sys; from storyline.link import embed; v = embed.embed(['BP capped the well.']); "
            "assert v.shape == (1, embed.DIM); "
            "print(sorted(m for m in ('transformers', 'sentence_transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_the_encoder_computes_what_sentence_transformers_computes():
    pytest.importorskip("sentence_transformers")  # the evaluation extra
    mine = embed.embed(TEXTS)
    theirs = embed.model().encode(TEXTS, batch_size=embed.BATCH, normalize_embeddings=True, convert_to_numpy=True)
    assert mine.shape == (len(TEXTS), embed.DIM) and mine.dtype == np.float32
    assert np.abs(mine - theirs).max() < 1e-5  # float32 summation order aside, the same vectors
    alone = np.vstack([embed.embed([t]) for t in TEXTS])  # padding in a batch changes nothing either
    assert np.abs(alone - mine).max() < 1e-5
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
