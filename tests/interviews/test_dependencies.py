"""Reviews build on interviews, never the reverse: no module of interviews imports reviews.

interviews reaches what reviews adds to a session (coaches' access, the published review, the rubric
feedback) through ``interviews.hooks.session_hooks``, which the reviews app fills in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import interviews
from interviews.hooks import session_hooks
from reviews import selectors

INTERVIEWS = Path(interviews.__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_module_of_interviews_imports_reviews():
    offenders = {
        str(path.relative_to(INTERVIEWS)): sorted(m for m in modules if m.split(".")[0] == "reviews")
        for path in sorted(INTERVIEWS.rglob("*.py"))
        if (modules := _imported_modules(path))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_reviews_app_fills_in_the_session_hooks():
    assert session_hooks.readers is selectors.coach_readers
    assert session_hooks.published_review is selectors.published_review
    assert session_hooks.results_feedback is selectors.results_feedback
