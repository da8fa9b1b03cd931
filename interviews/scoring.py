"""The common 0–100 scale: rubric scores (1–4 per criterion) and auto-graded answers both end up on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from interviewnode.errors import ApplicationError

from .models import SessionItem

CENT = Decimal("0.01")
FULL = Decimal(100)
ZERO = Decimal(0)
SCALE_MIN, SCALE_MAX = 1, 4


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def scale_to_percent(value: Decimal | int) -> Decimal:
    """1 → 0, 2 → 33.33, 3 → 66.67, 4 → 100 (linear in between)."""
    return _round((Decimal(value) - SCALE_MIN) * FULL / (SCALE_MAX - SCALE_MIN))


def criteria_check(criteria_scores: Mapping[str, int], rubric: list[dict], *, complete: bool = True) -> None:
    """Refuse scores that do not fit the rubric: unknown criteria, values outside 1–4 and, when
    ``complete``, criteria left unscored. A draft review checks with ``complete=False``."""
    keys = {c["key"] for c in rubric}
    if not keys:
        raise ApplicationError("The rubric has no criteria.", code="invalid")
    missing = keys - set(criteria_scores) if complete else set()
    unknown = set(criteria_scores) - keys
    if missing or unknown:
        problems = [f"missing: {', '.join(sorted(missing))}"] if missing else []
        problems += [f"unknown: {', '.join(sorted(unknown))}"] if unknown else []
        raise ApplicationError(f"Score every rubric criterion ({'; '.join(problems)}).", code="invalid")
    for key, value in criteria_scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not SCALE_MIN <= value <= SCALE_MAX:
            raise ApplicationError(
                f"The score for {key!r} must be a whole number from 1 to 4.", code="invalid"
            )


def criteria_missing(criteria_scores: Mapping[str, int], rubric: list[dict]) -> list[str]:
    """The rubric's criteria (their names, in rubric order) not scored yet."""
    return [c.get("name") or c["key"] for c in rubric if c["key"] not in criteria_scores]


def answer_score(criteria_scores: Mapping[str, int], rubric: list[dict]) -> Decimal:
    """A rubric-scored answer on 0–100: the criteria's 1–4 scores, weighted by the rubric's weights.

    Every criterion of the rubric must be scored, and nothing else.
    """
    criteria_check(criteria_scores, rubric, complete=True)
    weights = {c["key"]: Decimal(str(c.get("weight", 1))) for c in rubric}
    total = sum(weights.values())
    mean = sum(weights[key] * criteria_scores[key] for key in weights) / total
    return scale_to_percent(mean)


def choice_score(*, is_correct: bool) -> Decimal:
    """A multiple-choice answer is all or nothing."""
    return FULL if is_correct else ZERO


def session_score(items: Iterable[SessionItem]) -> Decimal | None:
    """Item scores weighted by each question's weight as asked; None until every item is scored."""
    weighted, total = ZERO, ZERO
    for item in items:
        if item.score is None:
            return None
        weight = Decimal(item.revision.content.get("weight") or 1)
        weighted += Decimal(item.score) * weight
        total += weight
    if not total:
        return None
    return _round(weighted / total)
