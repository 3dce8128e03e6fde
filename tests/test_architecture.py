"""The layout docs/architecture.md describes, checked: apps depend one way, no module
imports itself back through others, no module holds two things, and no model reverses
another app's URLs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "core",
    "topics",
    "delegates",
    "proposals",
    "government",
    "stats",
    "public",
    "api",
    "demo",
)
# What each app may import from the project (config wires everything together).
ALLOWED = {
    "core": set(),
    "topics": {"core"},
    "delegates": {"core"},
    "proposals": {"core", "topics", "delegates"},
    "government": {"core", "topics", "delegates", "proposals"},
    "stats": {"core", "topics", "delegates", "proposals", "government"},
    "public": {"core", "topics", "delegates", "proposals", "government", "stats"},
    # Beside public: the API and bulk data read what the pages read, never the pages.
    "api": {"core", "topics", "delegates", "proposals", "government", "stats"},
    "demo": {"core", "topics", "delegates", "proposals", "government", "stats"},
    "config": set(APPS),
}
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules `name` imports, anywhere in it (a function's import too:
    one that only works because it runs late is a cycle all the same)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(filter(None, [*anchor, base]))
            # `from pkg import module` imports the module; `from pkg import name`, pkg.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_project_is_found():
    assert {"core.cache", "proposals.params", "stats.trends", "public.urls"} <= set(MODULES)
    assert "proposals.params" in GRAPH["proposals.filters"]


def test_no_module_imports_itself_back_through_others():
    cycles = []
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        stack.append(name)
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                cycles.append(" → ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name)
    assert cycles == []


def test_apps_depend_in_one_direction():
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if (app := name.split(".")[0]) != (other := target.split(".")[0])
        and other not in ALLOWED[app]
    )
    assert wrong == []


@pytest.mark.parametrize("app", APPS)
def test_no_module_holds_two_things(app):
    long = [
        f"{path.relative_to(ROOT)} ({n} lines)"
        for name, path in MODULES.items()
        if name.split(".")[0] == app
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


def test_no_model_reverses_urls():
    """Where a record lives on the site is config's to say (ABSOLUTE_URL_OVERRIDES)."""
    reversing = [
        str(path.relative_to(ROOT))
        for name, path in MODULES.items()
        if name.endswith(".models") and "reverse(" in path.read_text(encoding="utf-8")
    ]
    assert reversing == []


@pytest.mark.django_db
def test_records_know_their_public_address():
    from tests.factories import ProposalFactory

    proposal = ProposalFactory(delegate__slug="lei-jun", session__year=2022)
    assert proposal.get_absolute_url() == f"/proposals/{proposal.pk}/"
    assert proposal.delegate.get_absolute_url() == "/delegates/lei-jun/"
    assert proposal.session.get_absolute_url() == "/sessions/2022/"
    assert proposal.topics.first().get_absolute_url().startswith("/topics/")
