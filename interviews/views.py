from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Profile, Role
from interviewnode.errors import ApplicationError
from questions.models import Question

from . import services
from .forms import CustomSessionForm
from .hooks import session_hooks
from .models import InterviewSession
from .selectors import answers_withheld, session_for_user, session_list, template_list
from .serializers import asked_question, item_answer, item_results_withheld, item_reveal


def _candidate_only(request) -> None:
    if not request.user.has_role(Role.CANDIDATE):
        raise Http404("Mock interviews are for candidates.")


@login_required
def session_new(request):
    """Pick a ready-made interview or a custom mix."""
    _candidate_only(request)
    profile = Profile.objects.filter(user=request.user).select_related("target_role", "target_level").first()
    initial = {}
    if profile and profile.target_role_id:
        initial["role"] = profile.target_role.slug
    if profile and profile.target_level_id:
        initial["level"] = profile.target_level.slug
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        # "Drop company" / "Drop categories" on the not-enough-questions message resubmits without them.
        for field in data.pop("widen", [""])[0].split(","):
            if field in ("company", "categories"):
                data.pop(field, None)
    form = CustomSessionForm(data, initial=initial)
    not_enough = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_start(
                candidate=request.user,
                mode=data["mode"],
                role=data["role"],
                level=data["level"],
                company=data["company"],
                categories=list(data["categories"]),
                question_count=data["question_count"],
                duration_minutes=data["duration_minutes"],
            )
        except ApplicationError as error:
            if error.code == "not_enough_questions":
                not_enough, status = error, 409
            else:
                messages.error(request, error.detail)
                status = error.status_code
        else:
            return redirect("interviews:take", session.pk)
    context = {"form": form, "templates": template_list(), "not_enough": not_enough}
    return render(request, "interviews/new.html", context, status=status)


@login_required
@require_POST
def session_from_template(request, slug: str):
    _candidate_only(request)
    template = get_object_or_404(template_list(), slug=slug)
    try:
        session = services.session_start_from_template(
            candidate=request.user,
            template=template,
            mode=request.POST.get("mode", InterviewSession.Mode.TIMED),
        )
    except ApplicationError as error:
        messages.error(request, f"{template.name}: {error.detail}")
        return redirect("interviews:new")
    return redirect("interviews:take", session.pk)


@login_required
@require_POST
def session_practice(request, question_id: int):
    """The "Practice" button of a question page: an untimed session on that one question."""
    _candidate_only(request)
    question = get_object_or_404(Question, pk=question_id, status=Question.Status.PUBLISHED)
    try:
        session = services.session_start_with_questions(candidate=request.user, questions=[question])
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("questions:detail", question.slug)
    return redirect("interviews:take", session.pk)


def _items(session: InterviewSession, *, withheld: frozenset[int] = frozenset()) -> list[dict]:
    rows = []
    for item in session.items.all():
        item.session = session
        reveal = item_reveal(item, withheld=withheld)
        results_withheld = item_results_withheld(item, withheld=withheld)
        rows.append(
            {
                "position": item.position,
                "score": None if results_withheld else item.score,
                "results_withheld": results_withheld,
                "question": asked_question(item, reveal=reveal),
                "answer": item_answer(item, reveal=reveal),
            }
        )
    return rows


@login_required
def session_take(request, session_id: int):
    session = session_for_user(user=request.user, session_id=session_id, owner_only=True)
    if session.status != InterviewSession.Status.IN_PROGRESS:
        return redirect("interviews:results", session.pk)
    context = {
        "session": session,
        "items": _items(session),
        "server_time": timezone.now(),
        "api_url": reverse("api:session-detail", args=[session.pk]),
        "preview_url": reverse("api:markdown-preview"),
    }
    return render(request, "interviews/take.html", context)


@login_required
def session_results(request, session_id: int):
    session = session_for_user(user=request.user, session_id=session_id)
    if session.status == InterviewSession.Status.IN_PROGRESS:
        return redirect("interviews:take", session.pk)
    items = _items(session, withheld=answers_withheld(user=request.user))
    review, feedback = session_hooks.results_feedback(session=session)
    for row in items:
        row["feedback"] = None if row["results_withheld"] else feedback.get(row["position"])
    results_withheld = any(row["results_withheld"] for row in items)
    context = {"session": session, "items": items, "review": review, "results_withheld": results_withheld}
    return render(request, "interviews/results.html", context)


@login_required
def session_mine(request):
    return render(request, "interviews/mine.html", {"sessions": session_list(user=request.user)})
