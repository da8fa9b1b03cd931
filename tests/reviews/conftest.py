from __future__ import annotations

import pytest

from tests.factories import QuestionFactory, submitted_session


@pytest.fixture
def questions(taxonomy):
    """Two written ML-theory questions (rubric: accuracy×3, depth×3, judgement×2, communication×2)
    and one multiple-choice question, weight 1 each."""
    return [
        QuestionFactory(title="Explain dropout"),
        QuestionFactory(title="Bias and variance"),
        QuestionFactory(title="Pick the loss", choices=[("Cross-entropy", True), ("Hinge", False)]),
    ]


@pytest.fixture
def session(candidate, questions):
    """Submitted by the candidate: in the review queue. The multiple-choice answer was left empty (0)."""
    return submitted_session(candidate, questions, answers={1: "Dropout **zeroes** units.", 2: "Trade-off."})


@pytest.fixture
def other_session(other_candidate, questions):
    return submitted_session(other_candidate, questions, answers={1: "Other secret answer", 2: "Other."})
