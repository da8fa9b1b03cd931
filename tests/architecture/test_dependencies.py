"""The apps depend on each other in one direction, as docs/architecture.md draws it.

Every import in every module counts, inside functions too: an import moved into a function to dodge
a cycle is still a dependency.
"""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# The project's wiring (URLs, settings, entry points, the Celery app, the demo data command) imports
# every app; it is a layer of its own, "site", above them all, while the rest of the interviewnode
# package is shared code below them all.
SITE_MODULES = ("__init__", "urls", "views", "asgi", "wsgi", "celery", "settings", "management")


def declared_graph() -> dict[str, set[str]]:
    """The ```deps block of docs/architecture.md: one ``app -> dependency, dependency`` per line."""
    block = re.search(r"```deps\n(.*?)```", ARCHITECTURE.read_text(), re.S)
    assert block, "docs/architecture.md has no ```deps block"
    graph = {}
    for line in block.group(1).splitlines():
        app, _, deps = line.partition("->")
        graph[app.strip()] = {dep.strip() for dep in deps.split(",") if dep.strip()}
    return graph


def layer(module: str, apps: set[str]) -> str | None:
    top, _, rest = module.partition(".")
    if top == "interviewnode" and rest.split(".")[0] in SITE_MODULES:
        return "site"
    return top if top in apps else None


def imported_modules(path: Path, module: str) -> set[str]:
    """What ``module`` (dotted, "a.b.__init__" for a package) imports, relative imports resolved."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package ("a.b" for a/b/c.py)
                package = module.split(".")[:-1]
                base = package[: len(package) - node.level + 1]
                names.add(".".join([*base, *([node.module] if node.module else [])]))
            else:
                names.add(node.module)
    return names


def actual_graph(apps: set[str]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for app in apps - {"site"}:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            source = layer(module, apps)
            for name in imported_modules(path, module):
                target = layer(name, apps)
                if target and target != source:
                    graph.setdefault(source, set()).add(target)
    return graph


def test_the_apps_depend_on_each_other_as_docs_architecture_md_says():
    declared = declared_graph()
    actual = actual_graph(set(declared))
    assert {app: deps for app, deps in actual.items() if deps} == {
        app: deps for app, deps in declared.items() if deps
    }


def test_no_app_depends_on_itself_through_another():
    try:
        tuple(TopologicalSorter(declared_graph()).static_order())
    except CycleError as error:
        raise AssertionError(f"the apps import each other in a circle: {error.args[1]}") from None
