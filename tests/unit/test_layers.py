"""The layout's rule: lower layers never import higher ones (README, docs/design.md).

Read from the source with `ast`, so a new import anywhere in a module (at the top or
inside a function) is checked, whether or not a test runs it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = {
    "actions",
    "channels",
    "clinic",
    "components",
    "deploy",
    "harness",
    "persistence",
    "rasa_patches",
    "scripts",
    "tests",
}
# Which project packages each package may import (itself always).
MAY_IMPORT: Dict[str, Set[str]] = {
    "rasa_patches": {"clinic"},  # the sentence that asks (clinic/sentences.py)
    "clinic": set(),
    "deploy": set(),
    "components": {"clinic", "rasa_patches"},
    "actions": {"clinic"},
    "persistence": {"clinic"},
    "channels": {"clinic", "components", "persistence"},
    "harness": PROJECT - {"scripts", "tests"},
    "scripts": PROJECT - {"tests"},
    "tests": PROJECT - {"scripts"},
}


def imported_packages(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, top-level project package) for every import in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in PROJECT:
                yield node.lineno, top


def violations(package: str) -> List[str]:
    allowed = MAY_IMPORT[package] | {package}
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, top in imported_packages(path):
            if top not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    return found


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_no_package_imports_a_layer_above_it(package: str) -> None:
    assert violations(package) == []


def test_the_check_finds_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from channels.turn import patient_turn\n")
    assert list(imported_packages(module)) == [(2, "channels")]


def test_content_holds_no_code() -> None:
    assert sorted(p.name for p in (ROOT / "content").glob("*.py")) == []


def test_every_reviewed_file_says_who_reviews_it() -> None:
    for path in sorted((ROOT / "content").glob("*.yml")):
        head = path.read_text(encoding="utf-8")[:600].lower()
        assert "review" in head, f"{path.name}: no header saying who reviews it"
