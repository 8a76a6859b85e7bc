"""Shared fixtures: one analysed seed database (the real pipeline on the bundled example articles, built
once per session), a live server on loopback, and Debian's headless Chromium for end-to-end tests."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "security-guarantees"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium through Playwright (which must never download a browser); skips without either."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); Playwright must not download one")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus analysed by the real pipeline; copy it (``db_copy``) before writing to it."""
    from storyline.run import pipeline
    from storyline.store import Store

    path = tmp_path_factory.mktemp("seed") / "seed.db"
    with Store(path) as store:
        report = pipeline.analyze(store, [str(EXAMPLES)], workers=1)
        assert report.added > 0 and not report.errors, report.errors
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy_db(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)  # the seed was checkpointed: the main file holds everything
    return dst


@pytest.fixture
def db_copy(seed_db: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the seed database for one test."""
    return copy_db(seed_db, tmp_path / "storyline.db")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving ``create_app(db)`` on 127.0.0.1 in a background thread."""

    def __init__(self, db: Path, **options: object) -> None:
        import uvicorn

        from storyline.server.api import create_app

        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, **options), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="session")
def live_server(seed_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = copy_db(seed_db, tmp_path_factory.mktemp("live") / "live.db")
    with LiveServer(db) as server:
        yield server
