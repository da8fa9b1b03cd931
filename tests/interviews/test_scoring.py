"""interviews.scoring: rubric scores and auto-graded answers on the common 0–100 scale."""

from __future__ import annotations

from decimal import Decimal

import pytest

from interviewnode.errors import ApplicationError
from interviews.models import SessionItem
from interviews.scoring import answer_score, choice_score, session_score
from questions.models import QuestionRevision

RUBRIC = [
    {"key": "requirements", "name": "Requirements", "weight": 1},
    {"key": "design", "name": "Design", "weight": 3},
]


@pytest.mark.parametrize(("score", "percent"), [(1, "0.00"), (2, "33.33"), (3, "66.67"), (4, "100.00")])
def test_each_point_of_the_scale_maps_to_its_percentage(score, percent):
    assert answer_score({"requirements": score, "design": score}, RUBRIC) == Decimal(percent)


def test_criteria_are_weighted_by_the_rubric_weights():
    # (1×1 + 3×4) / 4 = 3.25 on the 1–4 scale → 75 on 0–100.
    assert answer_score({"requirements": 1, "design": 4}, RUBRIC) == Decimal("75.00")


def test_criteria_without_a_weight_count_once():
    rubric = [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]

    assert answer_score({"a": 1, "b": 2}, rubric) == Decimal("16.67")


@pytest.mark.parametrize(
    "scores",
    [
        {"requirements": 3},
        {"requirements": 3, "design": 3, "charm": 4},
        {"requirements": 0, "design": 3},
        {"requirements": 5, "design": 3},
        {"requirements": 2.5, "design": 3},
        {"requirements": True, "design": 3},
    ],
    ids=["missing", "unknown", "below", "above", "fraction", "boolean"],
)
def test_it_refuses_scores_that_do_not_fit_the_rubric(scores):
    with pytest.raises(ApplicationError) as error:
        answer_score(scores, RUBRIC)

    assert error.value.code == "invalid"


def test_multiple_choice_is_all_or_nothing():
    assert choice_score(is_correct=True) == Decimal(100)
    assert choice_score(is_correct=False) == Decimal(0)


def _item(score, weight):
    return SessionItem(
        score=None if score is None else Decimal(score), revision=QuestionRevision(content={"weight": weight})
    )


def test_session_score_is_the_mean_weighted_by_question_weight():
    # (100×1 + 0×1 + 50×2) / 4 = 50
    items = [_item("100", 1), _item("0", 1), _item("50", 2)]

    assert session_score(items) == Decimal("50.00")


def test_session_score_rounds_to_hundredths():
    assert session_score([_item("100", 1), _item("0", 2)]) == Decimal("33.33")


def test_session_score_waits_for_every_item_to_be_graded():
    assert session_score([_item("100", 1), _item(None, 1)]) is None


def test_an_empty_session_has_no_score():
    assert session_score([]) is None


def test_a_draft_check_allows_unscored_criteria_but_not_bad_values():
    from interviews.scoring import criteria_check

    criteria_check({"design": 2}, RUBRIC, complete=False)  # fine: a draft
    for scores in ({"design": 0}, {"design": 5}, {"charm": 3}):
        with pytest.raises(ApplicationError):
            criteria_check(scores, RUBRIC, complete=False)
    with pytest.raises(ApplicationError):
        criteria_check({"design": 2}, RUBRIC, complete=True)


def test_missing_criteria_are_named_in_rubric_order():
    from interviews.scoring import criteria_missing

    assert criteria_missing({"design": 3}, RUBRIC) == ["Requirements"]
    assert criteria_missing({}, RUBRIC) == ["Requirements", "Design"]
    assert criteria_missing({"requirements": 1, "design": 4}, RUBRIC) == []
