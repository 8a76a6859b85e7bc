"""Annotation workers are forked from the driver: one that had run OpenMP with several threads (torch, or any
library sharing its OpenMP runtime) must still get its articles annotated, not a pool of workers waiting
forever inside the sentence encoder for threads the fork did not copy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "security-guarantees"


@pytest.mark.slow
def test_workers_annotate_after_the_driver_ran_openmp_with_several_threads(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import torch
        from storyline.link import embed
        embed.embed(["The encoder is loaded in the driver, so forked workers inherit it loaded."])
        torch.set_num_threads(2)  # as a library the driver ran may set it (the evaluation's peers do)
        torch.ones(4_000_000).sin().sum()  # an OpenMP team of two threads in the driver, before the fork
        from storyline.store import Store
        from storyline.run import pipeline
        with Store({str(tmp_path / "t.db")!r}) as store:
            pipeline.analyze(store, [{str(EXAMPLES)!r}], workers=2)
            print(store.count_pending("annotated"), store.count_pending("linked"))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["0", "0"], done.stdout  # every article annotated and linked
