"""Review pages: the coach's queue and review page, and the candidate's self-assessment form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from interviewnode.errors import ApplicationError
from interviewnode.params import invalid_parameter, parse_int
from interviews.scoring import SCALE_MAX, SCALE_MIN
from interviews.selectors import session_for_user
from questions.models import Category, Company, Level
from questions.models import Role as JobRole

from . import services
from .models import Recommendation
from .selectors import is_rubric_item, queue_filters, review_for_session, review_page_items, review_queue


def _coach_only(request) -> None:
    if not request.user.has_role(Role.COACH):
        raise Http404("The review queue is for coaches.")


@login_required
def queue(request):
    _coach_only(request)
    status = 200
    try:
        filters = queue_filters(request.GET)
    except ApplicationError as error:
        # Show the queue without the filters, and say which one could not be read.
        messages.error(request, error.detail)
        filters, status = {}, 400
    sessions = list(review_queue(coach=request.user, filters=filters))
    mine = [s for s in sessions if getattr(s, "review", None) and s.review.coach_id == request.user.pk]
    waiting = [s for s in sessions if s not in mine]
    context = {
        "mine": mine,
        "waiting": waiting,
        "filters": filters,
        "categories": Category.objects.order_by("name"),
        "roles": JobRole.objects.order_by("name"),
        "companies": Company.objects.order_by("name"),
        "levels": Level.objects.all(),
    }
    return render(request, "reviews/queue.html", context, status=status)


@login_required
@require_POST
def claim(request, session_id: int):
    _coach_only(request)
    try:
        services.review_claim(coach=request.user, session_id=session_id)
    except ApplicationError as error:
        if error.status_code == 404:
            raise Http404(error.detail) from None
        messages.error(request, error.detail)
        return redirect("reviews:queue")
    return redirect("reviews:review", session_id)


@login_required
@require_POST
def release(request, session_id: int):
    _coach_only(request)
    session = session_for_user(user=request.user, session_id=session_id, with_items=False)
    try:
        services.review_release(user=request.user, session_id=session.pk)
    except ApplicationError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, "Released: the session is back in the queue.")
    return redirect("reviews:queue")


def _posted_scores(post, keys, *, prefix: str) -> dict[str, int]:
    """The 1–4 scores posted as ``{prefix}{key}``; a blank one is left out, anything else is refused."""
    scores = {}
    for key in keys:
        name = f"{prefix}{key}"
        raw = post.get(name, "")
        if raw == "":
            continue
        score = parse_int(raw, min_value=SCALE_MIN, max_value=SCALE_MAX)
        if score is None:
            raise invalid_parameter(key, f"a whole number from {SCALE_MIN} to {SCALE_MAX}, please.")
        scores[key] = score
    return scores


def _posted_text(post, name: str) -> str:
    value = post.get(name, "")
    if "\x00" in value:
        # PostgreSQL stores no NUL character; Django's form fields refuse it the same way.
        raise invalid_parameter(name, "Null characters are not allowed.")
    return value


def _posted_review(post, items) -> dict:
    """The review form's fields in the shape review_save takes (ApplicationError if unreadable)."""
    rows = []
    for item in items:
        if not is_rubric_item(item):
            continue
        keys = [criterion["key"] for criterion in item.revision.content["rubric"]]
        scores = _posted_scores(post, keys, prefix=f"score-{item.position}-")
        comment = _posted_text(post, f"comment-{item.position}")
        rows.append({"position": item.position, "scores": scores, "comment": comment})
    return {
        "items": rows,
        "summary": {name: _posted_text(post, f"summary_{name}") for name in services.SUMMARY_FIELDS},
        "recommendation": _posted_text(post, "recommendation"),
    }


@login_required
def review(request, session_id: int):
    """The review page: every answer next to its question, reference and rubric; save or publish."""
    _coach_only(request)
    session = session_for_user(user=request.user, session_id=session_id)
    try:
        services.review_refuse_own(coach=request.user, session=session)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("reviews:queue")
    current = review_for_session(session=session)
    if current is None or current.coach_id != request.user.pk:
        messages.info(request, "Claim this session from the queue to review it.")
        return redirect("reviews:queue")
    items = list(session.items.all())
    missing = []
    if request.method == "POST":
        publish = request.POST.get("action") == "publish"
        try:
            posted = _posted_review(request.POST, items)
            # keep_draft: publishing an incomplete review still saves what the coach typed.
            services.review_save(
                coach=request.user, session_id=session.pk, **posted, publish=publish, keep_draft=True
            )
        except ApplicationError as error:
            messages.error(request, error.detail)
            missing = error.extra.get("missing", [])
            if error.code != "incomplete":
                return redirect("reviews:review", session.pk)
        else:
            if publish:
                messages.success(request, "Published: the candidate can read your feedback.")
                return redirect("reviews:queue")
            messages.success(request, "Draft saved.")
        if not missing:
            return redirect("reviews:review", session.pk)
        current = review_for_session(session=session)
    context = {
        "session": session,
        "review": current,
        "items": review_page_items(session=session, review=current, coach=request.user),
        "missing": missing or services.review_missing(review=current, items=items),
        "recommendations": Recommendation.choices,
    }
    return render(request, "reviews/review.html", context, status=400 if missing else 200)


@login_required
@require_POST
def self_assessment(request, session_id: int, position: int):
    session = session_for_user(user=request.user, session_id=session_id, owner_only=True, with_items=False)
    keys = [key.removeprefix("self-") for key in request.POST if key.startswith("self-")]
    try:
        scores = _posted_scores(request.POST, keys, prefix="self-")
        services.self_assess(session=session, position=position, scores=scores)
    except ApplicationError as error:
        messages.error(request, f"Question {position}: {error.detail}")
    else:
        messages.success(request, f"Your self-assessment of question {position} is saved.")
    return redirect(reverse("interviews:results", args=[session.pk]) + f"#question-{position}")
