"""The Ray engine gives the local engine's result, byte for byte (minus the timestamp), on the seed articles
and on a slice of one Timeline17 topic, with a local Ray cluster of 2 workers. Skipped without Ray."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from storyline import contract  # noqa: E402
from storyline.run import pipeline  # noqa: E402
from storyline.store import Store  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "security-guarantees"
T17 = Path(os.environ.get("STORYLINE_T17", Path(__file__).resolve().parents[2] / "shared/datasets/timeline17"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    """One local Ray cluster with 2 CPUs for the module (the engine leaves a connection it did not make)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def analysed(paths: list[str], db: Path, engine: str) -> dict:
    with Store(db) as store:
        report = pipeline.analyze(store, paths, workers=2, engine=engine)
        assert report.annotated == report.added > 0 and not report.errors
        data = contract.build(store)
    data.pop("generated")
    return data


def t17_slice(folder: str, n: int, out: Path) -> Path:
    """The first ``n`` articles of one T17 topic folder, read as the throughput benchmark reads them."""
    spec = importlib.util.spec_from_file_location("throughput", ROOT / "bench" / "throughput.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    records = [r for r in bench.t17_articles(T17) if r["id"].startswith(folder + "/")][:n]
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out


def test_ray_engine_starts_and_stops_its_own_local_cluster(tmp_path: Path) -> None:
    if ray.is_initialized():
        pytest.skip("a Ray connection is already open in this process")
    with Store(tmp_path / "own.db") as store:
        one = str(EXAMPLES / "000_4f7009c1a22c5cb7.txt")
        report = pipeline.analyze(store, [one], workers=1, engine="ray")
    assert report.annotated == 1
    assert not ray.is_initialized()


def test_ray_matches_local_on_the_seed_articles(cluster, tmp_path: Path) -> None:
    local = analysed([str(EXAMPLES)], tmp_path / "local.db", "local")
    on_ray = analysed([str(EXAMPLES)], tmp_path / "ray.db", "ray")
    assert on_ray == local
    assert local["stories"] and any(s["quotes"] for s in local["stories"])


@pytest.mark.skipif(not (T17 / "data").is_dir(), reason="Timeline17 not available")
def test_ray_matches_local_on_a_t17_topic_slice(cluster, tmp_path: Path) -> None:
    corpus = str(t17_slice("H1N1_bbc", 30, tmp_path / "h1n1.jsonl"))
    local = analysed([corpus], tmp_path / "local.db", "local")
    on_ray = analysed([corpus], tmp_path / "ray.db", "ray")
    assert len(local["documents"]) == 30
    assert on_ray == local
