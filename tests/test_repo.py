"""Checks that keep the docs and CI honest: they fail when the README drifts from the code."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from storyline.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_commands() -> list[str]:
    block = re.search(r"```(?:bash|sh)\n(.*?)```", README, re.S)
    assert block, "README must start with a shell block of set-up commands"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_readme_starts_with_exactly_two_setup_commands():
    assert len(_readme_commands()) == 2


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = re.search(r"^TEST_COMMAND='(.*)'$", ci, re.M).group(1)
    assert _readme_commands()[1] == command


def test_readme_documents_every_command_and_option():
    for name, cmd in main.commands.items():
        assert f"storyline {name}" in README, f"README does not document `storyline {name}`"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert any(opt in README for opt in param.opts), f"README misses {name} {param.opts[0]}"


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff not installed")
def test_ruff_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_store_speaks_sql():
    """README's architecture promises one storage interface: no other module runs SQL itself."""
    offenders = [p.name for p in (ROOT / "storyline").rglob("*.py")
                 if p.name != "store.py" and re.search(r"\.execute(many|script)?\(", p.read_text(encoding="utf-8"))]
    assert offenders == []
