"""The shape of the package: one direction of imports, and one place that knows the engine."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
ENGINE_PACKAGES = ("mkdocs", "material", "properdocs")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    """Every module a module imports, at its top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return found


def test_no_import_cycles() -> None:
    """Function-level imports count: a cycle hidden in them is a cycle (build, plugin and
    serve imported one another)."""
    known = modules()
    graph = {name: {m for m in imports(name, path) if m in known and m != name}
             for name, path in known.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycles.append(path[path.index(other):] + [other])
            elif other not in state:
                visit(other, path)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    assert cycles == []


def test_only_the_adapter_knows_the_engine() -> None:
    """Nothing outside generator/engine imports MkDocs, ProperDocs or Material."""
    outside = {name: sorted(m for m in imports(name, path)
                            if m.split(".")[0] in ENGINE_PACKAGES)
               for name, path in modules().items() if not name.startswith("generator.engine")}
    assert {name: found for name, found in outside.items() if found} == {}


def test_tests_import_no_tests() -> None:
    """Shared test code lives in the tests package's helper modules or in fixtures: a test
    module imported by another runs its module-level code twice and hides what it depends on."""
    tests = PACKAGE.parent / "tests"
    found = []
    for path in sorted(tests.rglob("*.py")):
        for name in imports(path.stem, path):
            if any(part.startswith("test_") or part == "conftest" for part in name.split(".")):
                found.append(f"{path.relative_to(tests)}: {name}")
    assert found == []
