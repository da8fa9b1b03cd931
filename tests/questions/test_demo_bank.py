"""The shipped demo bank (issue 3, "Checks"): coverage over published questions, validity, idempotence.

The bank is loaded once per module into an empty database (inside a transaction that is rolled back),
and the figures a coach would check are gathered into plain data that the tests assert on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.db import transaction

from questions.bank import load_shipped_bank
from questions.models import Category, Choice, Company, Level, Question, QuestionRevision, Role, StatusChange
from questions.rubric import validate_rubric

# Every test is marked so that pytest-django creates the test database even when only tests using
# the module-scoped ``bank`` fixture are selected (it only sets up databases marked tests ask for).
pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ["coding", "ml-coding", "ml-theory", "statistics", "ml-system-design", "behavioral"]
LEVELS = ["entry", "mid", "senior", "staff"]


def _coverage() -> dict:
    published = list(
        Question.objects.filter(status=Question.Status.PUBLISHED)
        .select_related("category")
        .prefetch_related("roles", "levels", "companies", "choices")
    )
    by = {name: Counter() for name in ("category", "role", "level", "company", "kind", "difficulty")}
    grid: Counter = Counter()
    for q in published:
        by["category"][q.category.slug] += 1
        by["kind"][q.kind] += 1
        by["difficulty"][q.difficulty] += 1
        for role in q.roles.all():
            by["role"][role.slug] += 1
        for level in q.levels.all():
            by["level"][level.slug] += 1
            grid[q.category.slug, level.slug] += 1
        for company in q.companies.all():
            by["company"][company.slug] += 1
    return {
        "total": len(published),
        "all_slugs": list(Question.objects.values_list("slug", flat=True)),
        "statuses": Counter(Question.objects.values_list("status", flat=True)),
        "taxonomy": {
            "category": list(Category.objects.values_list("slug", flat=True)),
            "role": list(Role.objects.values_list("slug", flat=True)),
            "level": list(Level.objects.values_list("slug", flat=True)),
            "company": list(Company.objects.values_list("slug", flat=True)),
        },
        "by": by,
        "grid": grid,
        "companies": {c.slug: (c.stages.strip(), c.weighs.strip()) for c in Company.objects.all()},
        "questions": [
            {
                "slug": q.slug,
                "kind": q.kind,
                "choices": [(c.text, c.is_correct) for c in q.choices.all()],
                "explanation": q.explanation.strip(),
                "language": q.language,
                "reference_answer": q.reference_answer.strip(),
                "provenance": q.provenance.strip(),
                "rubric_errors": validate_rubric(q.rubric or q.category.default_rubric)[1],
            }
            for q in published
        ],
    }


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Question.objects.exists(), "the bank must be loaded into an empty database"
        load_shipped_bank()
        coverage = _coverage()
        transaction.set_rollback(True)
    _print_table(coverage)
    return coverage


def _print_table(coverage: dict) -> None:
    """The coverage table the issue asks to report (shown with pytest -s)."""
    print(f"\npublished questions: {coverage['total']}")
    print(f"{'category':<18}" + "".join(f"{lv:>8}" for lv in LEVELS) + f"{'total':>8}")
    for cat in CATEGORIES:
        cells = "".join(f"{coverage['grid'][cat, lv]:>8}" for lv in LEVELS)
        print(f"{cat:<18}{cells}{coverage['by']['category'][cat]:>8}")
    for name in ("role", "level", "company", "kind", "difficulty"):
        print(f"{name}: {dict(sorted(coverage['by'][name].items()))}")


def _short(coverage: dict, name: str, minimum: int) -> dict[str, int]:
    """Values of the taxonomy (including ones no question uses) with fewer than ``minimum`` questions."""
    counts = coverage["by"][name]
    return {slug: counts[slug] for slug in coverage["taxonomy"][name] if counts[slug] < minimum}


def test_the_shipped_bank_is_published(bank):
    assert set(bank["statuses"]) == {Question.Status.PUBLISHED}


def test_it_has_at_least_240_published_questions(bank):
    assert bank["total"] >= 240


def test_every_category_has_at_least_30_questions(bank):
    assert sorted(bank["taxonomy"]["category"]) == sorted(CATEGORIES)
    assert _short(bank, "category", 30) == {}


def test_every_role_has_at_least_15_questions(bank):
    assert len(bank["taxonomy"]["role"]) == 10
    assert _short(bank, "role", 15) == {}


def test_every_level_has_at_least_40_questions(bank):
    assert sorted(bank["taxonomy"]["level"]) == sorted(LEVELS)
    assert _short(bank, "level", 40) == {}


def test_every_company_has_at_least_10_questions(bank):
    assert len(bank["taxonomy"]["company"]) == 11
    assert _short(bank, "company", 10) == {}


def test_it_has_at_least_50_well_formed_multiple_choice_questions(bank):
    mcq = [q for q in bank["questions"] if q["kind"] == Question.Kind.MULTIPLE_CHOICE]
    assert len(mcq) >= 50
    bad = {
        q["slug"]: (len(q["choices"]), sum(correct for _, correct in q["choices"]), bool(q["explanation"]))
        for q in mcq
        if not 3 <= len(q["choices"]) <= 5
        or not any(correct for _, correct in q["choices"])
        or not q["explanation"]
    }
    assert bad == {}, "(choices, correct, has explanation) per bad question"


def test_only_multiple_choice_questions_have_choices(bank):
    assert [q["slug"] for q in bank["questions"] if q["kind"] != "multiple_choice" and q["choices"]] == []


def test_it_has_at_least_30_code_questions_each_with_a_language(bank):
    code = [q for q in bank["questions"] if q["kind"] == Question.Kind.CODE]
    assert len(code) >= 30
    assert [q["slug"] for q in code if q["language"] not in Question.Language.values] == []


def test_each_difficulty_is_at_least_a_fifth_of_the_bank(bank):
    counts = bank["by"]["difficulty"]
    shares = {d: round(counts[d] / bank["total"], 3) for d in Question.Difficulty.values}
    assert all(share >= 0.2 for share in shares.values()), shares


def test_every_company_has_a_profile(bank):
    missing = {slug: (bool(stages), bool(weighs)) for slug, (stages, weighs) in bank["companies"].items()}
    assert {slug: flags for slug, flags in missing.items() if flags != (True, True)} == {}


def test_slugs_are_unique(bank):
    assert [slug for slug, n in Counter(bank["all_slugs"]).items() if n > 1] == []


def test_every_question_has_a_valid_rubric(bank):
    assert {q["slug"]: q["rubric_errors"] for q in bank["questions"] if q["rubric_errors"]} == {}


def test_every_written_and_code_question_has_a_reference_answer(bank):
    assert [
        q["slug"] for q in bank["questions"] if q["kind"] != "multiple_choice" and not q["reference_answer"]
    ] == []


def test_every_provenance_says_in_the_style_of_or_reported(bank):
    bad = [
        q["slug"]
        for q in bank["questions"]
        if not q["provenance"].startswith(("In the style of", "Reported"))
    ]
    assert bad == []


def _state() -> dict:
    return {
        "questions": dict(Question.objects.values_list("slug", "updated_at")),
        "statuses": dict(Question.objects.values_list("slug", "status")),
        "choices": sorted(
            Choice.objects.values_list("id", "question__slug", "position", "text", "is_correct")
        ),
        "revisions": QuestionRevision.objects.count(),
        "status_changes": StatusChange.objects.count(),
        "taxonomy": (
            sorted(Level.objects.values_list("id", "slug", "name")),
            sorted(Category.objects.values_list("id", "slug", "default_rubric")),
            sorted(Role.objects.values_list("id", "slug", "name")),
            sorted(Company.objects.values_list("id", "slug", "stages", "weighs")),
        ),
    }


def test_loading_the_bank_twice_changes_nothing():
    first = load_shipped_bank()
    assert first.created and not first.updated
    before = _state()

    second = load_shipped_bank()

    assert (second.created, second.updated) == ([], [])
    assert sorted(second.unchanged) == sorted(first.created)
    assert _state() == before


def _similarity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, run with this interpreter
        [sys.executable, str(ROOT / "scripts" / "bank_similarity.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_similarity_script_finds_no_near_duplicates():
    result = _similarity()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the 15 closest pairs" in result.stdout
    assert len([line for line in result.stdout.splitlines() if " ~ " in line]) == 15


def test_the_similarity_script_fails_on_a_reworded_copy(tmp_path):
    files = sorted((ROOT / "questions" / "data" / "bank").glob("*.yaml"))
    for path in files:
        shutil.copy(path, tmp_path)
    original = yaml.safe_load(files[0].read_text())["questions"][0]
    copy = {
        **original,
        "slug": "reworded-copy",
        "title": f"Revisited: {original['title'].lower()}",
        "prompt": original["prompt"].replace(" the ", " this ").replace(".", "!") + "\nTake your time.",
    }
    (tmp_path / "zz-copy.yaml").write_text(yaml.safe_dump({"questions": [copy]}))

    result = _similarity("--bank", str(tmp_path))

    assert result.returncode == 1, result.stdout
    assert (
        f"{original['slug']} ~ reworded-copy" in result.stdout
        or f"reworded-copy ~ {original['slug']}" in result.stdout
    )
