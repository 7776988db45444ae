"""The house's rules that import-linter does not check, read off the source itself.

import-linter (``make lint``, ``.ci/run``) holds the layers: which room may import which. These
tests hold the rest of what makes the code readable by the next engineer: no module grows past
a screenful of screens, no room reaches into another's private names, and an import inside a
function says why it is there (never to dodge a cycle: the cycle is removed instead).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("monitoring", "deficits", "iom", "indicators", "reports")
LONGEST = 600
# Declarative modules may be longer: they are lists, not logic. None today; a module named here
# must say why.
DECLARATIVE: dict[str, str] = {}


def modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append(path)
    return found


def dotted(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def room(name: str) -> str:
    """The room a module belongs to: an app, or one of the core's packages (monitoring.intake…)."""
    parts = name.split(".")
    if parts[0] == "monitoring" and len(parts) >= 2 and (ROOT / "monitoring" / parts[1]).is_dir():
        return ".".join(parts[:2])
    return parts[0]


def test_modules_are_found():
    names = {dotted(path) for path in modules()}
    assert {"monitoring.models", "monitoring.models.scoping", "monitoring.shared.extensions"} <= names
    assert len(names) > 100


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_short(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    relative = str(path.relative_to(ROOT))
    if relative in DECLARATIVE:
        return
    assert lines <= LONGEST, f"{relative} has {lines} lines; split it by job (longest allowed {LONGEST})"


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_of_another_room(path: Path):
    here = dotted(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for node in _imports(tree):
        if node.module.split(".")[0] not in APPS or room(node.module) == room(here):
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                wrong.append(f"line {node.lineno}: from {node.module} import {alias.name}")
    assert not wrong, f"{here} imports private names of another room: {wrong}"


def _nested_imports(tree: ast.AST):
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield node


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_import_inside_a_function_says_why(path: Path):
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    silent = []
    for node in _nested_imports(tree):
        own = lines[node.lineno - 1]
        # The comment may stand above a block of imports: walk up over the block.
        above = node.lineno - 2
        while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
            above -= 1
        before = lines[above].strip() if above >= 0 else ""
        if "#" not in own and not before.startswith("#"):
            silent.append(f"line {node.lineno}: {own.strip()}")
    assert not silent, f"{path.relative_to(ROOT)}: imports inside functions without a comment saying why: {silent}"


def test_rules_catch_what_they_name(tmp_path: Path):
    # The checks themselves can fail: a nested import without a comment and a private import are found.
    source = "def f():\n    from monitoring.intake.jobs import _secret\n"
    tree = ast.parse(source)
    assert [n.lineno for n in _nested_imports(tree)] == [2]
    assert [a.name for n in _imports(tree) for a in n.names] == ["_secret"]
    assert room("monitoring.intake.jobs") != room("deficits.views")
    assert room("monitoring.models") == room("monitoring.models.jobs") != room("monitoring.admin")
