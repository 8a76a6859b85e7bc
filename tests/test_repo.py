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


# The layout's promise (README, Architecture): data flows one way. A module imports from earlier stages and
# the shared modules, never from a later stage, and no two modules import each other, even inside a function.
STAGES = {"model": 0, "text": 0, "calendar": 0, "ingest": 1, "annotate": 2, "link": 3, "store": 3, "contract": 4,
          "analysis": 5, "render": 5, "profiles": 5, "run": 6, "watch": 7, "server": 8, "cli": 9, "__init__": 10}


def _imports() -> dict[str, set[str]]:
    """storyline module → the storyline modules it imports at run time (TYPE_CHECKING blocks excluded)."""
    import ast

    package = ROOT / "storyline"
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        here = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(tree):
            if id(node) in typing_only or not isinstance(node, ast.ImportFrom | ast.Import):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def _stage(module: str) -> tuple[str, int]:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    return key, STAGES[key]


def test_no_module_imports_a_later_stage():
    upward = []
    for module, targets in _imports().items():
        (key, rank) = _stage(module)
        for t in targets:
            t_key, t_rank = _stage(t)
            if t_key != key and t_rank >= rank and t != "storyline":
                upward.append(f"{module} → {t}")
    assert upward == []


def test_no_import_circles():
    graph = _imports()
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph.get(node, ()):
            if nxt in path:
                cycles.append(" → ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert cycles == []


def test_analyses_take_one_story_never_the_store():
    """README: the analyses (analysis/) take a story as loaded (its ``Story``, documents and sentences, or a
    ``StoryView``), never the store; ``run/views.py`` loads and saves. So no analysis module imports the
    store, not even for a type, and no function of theirs takes a ``Store``."""
    import ast

    offenders = []
    for path in sorted((ROOT / "storyline" / "analysis").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in ("store", "run", "views"):
                offenders.append(f"{path.name} imports {node.module}")
            if isinstance(node, ast.Import) and any(a.name.startswith(("storyline.store", "storyline.run"))
                                                    for a in node.names):
                offenders.append(f"{path.name} imports {[a.name for a in node.names]}")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
                offenders += [f"{path.name}: {node.name}({a.arg}: {ast.unparse(a.annotation)})" for a in args
                              if a.annotation is not None and "Store" in ast.unparse(a.annotation)]
    assert offenders == []
