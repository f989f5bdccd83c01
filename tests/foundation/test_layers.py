"""The layering of docs/ARCHITECTURE.md, read from the imports themselves (ast), lazy ones included.

* surveys/ is pure statistics: it imports only the foundation (errors, i18n, config/) and itself;
* forms/ is shared with the collector: nothing of the build engine or a page family, its own
  family module (forms/family.py) aside;
* collector/ never the pipeline and never a page family (it runs without building a site);
* engine/ reaches the page families only through the pipeline, which lists them;
* imports are absolute, and nothing is found by name (import_module, __import__).

Imports under ``if TYPE_CHECKING:`` are for type checkers only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from panelsite.engine import pipeline

PACKAGE = Path(__file__).resolve().parents[2] / "panelsite"
FAMILIES = sorted(f.__name__ for f in pipeline.FAMILIES)
FOUNDATION = ("panelsite.errors", "panelsite.i18n", "panelsite.config")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every panelsite import; ``from a import b`` gives a.b as well as a."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return [(line, name) for line, name in found if name.startswith(("panelsite", "."))]


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def violations(part: str, allowed, exempt=()) -> list[str]:
    """Imports of modules under ``panelsite.<part>`` that ``allowed(target)`` refuses."""
    out = []
    for name, path in MODULES.items():
        if not (name == f"panelsite.{part}" or name.startswith(f"panelsite.{part}.")) or name in exempt:
            continue
        for line, target in imports_of(path):
            if not allowed(target):
                out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}")
    return out


def within(target: str, *prefixes: str) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def test_the_rules_see_the_whole_package():
    assert len(MODULES) > 60 and "panelsite.collector.app" in MODULES
    assert ("panelsite.engine.pipeline" in {t for _, t in imports_of(MODULES["panelsite.engine.commands"])})


def test_surveys_are_pure_statistics():
    def allowed(target: str) -> bool:  # "from panelsite import i18n" names the package too
        return target == "panelsite" or within(target, *FOUNDATION, "panelsite.surveys")

    assert violations("surveys", allowed) == []


def test_forms_import_nothing_of_the_engine_or_a_family_but_their_own_family_module():
    refused = ("panelsite.engine", "panelsite.results", "panelsite.factsheets", "panelsite.panel", "panelsite.a11y",
               "panelsite.authoring", "panelsite.collector")
    assert violations("forms", lambda target: not within(target, *refused), exempt={"panelsite.forms.family"}) == []


def test_the_collector_imports_no_page_family():
    assert violations("collector", lambda target: not within(target, *FAMILIES)) == []


def test_the_collector_never_imports_the_pipeline():
    assert violations("collector", lambda target: not within(target, "panelsite.engine.pipeline")) == []


def test_the_engine_reaches_the_page_families_only_through_the_pipeline():
    exempt = {"panelsite.engine.pipeline", "panelsite.engine.commands"}  # commands runs the pipeline
    assert violations("engine", lambda target: not within(target, *FAMILIES), exempt=exempt) == []


def test_imports_are_absolute_and_nothing_is_imported_by_name():
    relative = [f"{p.relative_to(PACKAGE.parent)}:{line}" for p in MODULES.values()
                for line, target in imports_of(p) if target.startswith(".")]
    by_name = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name in ("import_module", "__import__"):
                    by_name.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert relative == [] and by_name == []
