from __future__ import annotations

import itertools

import factory
from allauth.account.models import EmailAddress

from accounts.models import Role, User
from accounts.services import user_setup
from questions.models import Category, Choice, Company, Level, Question, Topic
from questions.models import Role as JobRole
from questions.selectors import bank_changed
from questions.services import revision_record

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        user.save()
        if create:
            user_setup(user=user, role=extracted or Role.CANDIDATE)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def category(slug: str = "ml-theory") -> Category:
    return Category.objects.get(slug=slug)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published written question in the loaded taxonomy; pass roles=/levels=/… as slug lists."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"question-{n}")
    title = factory.Sequence(lambda n: f"Question number {n}")
    prompt = "Explain the idea and give an example."
    reference_answer = "The secret reference answer."
    kind = Question.Kind.WRITTEN
    category = factory.LazyFunction(category)
    difficulty = Question.Difficulty.MEDIUM
    status = Question.Status.PUBLISHED

    @factory.post_generation
    def roles(question, create, extracted, **kwargs):
        question.roles.set(JobRole.objects.filter(slug__in=extracted or ["ml-engineer"]))

    @factory.post_generation
    def levels(question, create, extracted, **kwargs):
        question.levels.set(Level.objects.filter(slug__in=extracted or ["mid"]))

    @factory.post_generation
    def companies(question, create, extracted, **kwargs):
        question.companies.set(Company.objects.filter(slug__in=extracted or []))

    @factory.post_generation
    def topics(question, create, extracted, **kwargs):
        topics = [Topic.objects.get_or_create(slug=s, defaults={"name": s})[0] for s in extracted or []]
        question.topics.set(topics)

    @factory.post_generation
    def choices(question, create, extracted, **kwargs):
        """choices=[("text", True), ("other", False)] makes it a multiple-choice question."""
        if extracted:
            question.kind = Question.Kind.MULTIPLE_CHOICE
            question.explanation = "Why the right choice is right."
            question.save()
            for position, (text, correct) in enumerate(extracted, 1):
                Choice.objects.create(question=question, position=position, text=text, is_correct=correct)
        revision_record(question=question, user=None)


def questions_bulk_create(
    count: int,
    *,
    prefix: str = "bulk",
    roles: tuple[str, ...] = ("ml-engineer", "applied-scientist", "data-scientist"),
    levels: tuple[str, ...] = ("mid", "senior"),
    companies: tuple[str, ...] = ("google", "meta", "amazon"),
    topics: tuple[str, ...] = ("regularization", "transformers"),
    status: str = Question.Status.PUBLISHED,
) -> list[Question]:
    """Many published questions at once (bulk inserts), each tagged with every given role, level, …

    For tests that need hundreds of rows, where QuestionFactory's per-row queries would be slow.
    """
    questions = Question.objects.bulk_create(
        Question(
            slug=f"{prefix}-{n}",
            title=f"{prefix.title()} question {n:04d}",
            prompt=f"Prompt of {prefix} question {n}.",
            reference_answer="The secret reference answer.",
            category=category(),
            status=status,
        )
        for n in range(count)
    )
    topic_rows = [Topic.objects.get_or_create(slug=s, defaults={"name": s})[0] for s in topics]
    for field, tags in (
        ("roles", JobRole.objects.filter(slug__in=roles)),
        ("levels", Level.objects.filter(slug__in=levels)),
        ("companies", Company.objects.filter(slug__in=companies)),
        ("topics", topic_rows),
    ):
        through = getattr(Question, field).through
        column = f"{Question._meta.get_field(field).related_model._meta.model_name}_id"
        through.objects.bulk_create(
            through(question_id=question.id, **{column: tag.id}) for question in questions for tag in tags
        )
    bank_changed()  # bulk inserts send no signals: forget the cached lists as any bulk write must
    return questions


def question_row(slug: str = "imported-question", **fields) -> dict:
    """A valid bank-file row (the shape of questions/data/bank/*.yaml and the JSON/CSV exports)."""
    return {
        "slug": slug,
        "title": f"Imported {slug}",
        "kind": "written",
        "category": "ml-theory",
        "difficulty": "medium",
        "roles": ["ml-engineer"],
        "levels": ["mid"],
        "prompt": "Explain the bias-variance trade-off.",
        "reference_answer": "Error splits into bias, variance and noise.",
        **fields,
    }


class InterviewTemplateFactory(factory.django.DjangoModelFactory):
    """A template for ML engineers at mid level; pass categories= as a slug list (default ml-theory)."""

    class Meta:
        model = "interviews.InterviewTemplate"
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Template number {n}, 30 min")
    role = factory.LazyFunction(lambda: JobRole.objects.get(slug="ml-engineer"))
    level = factory.LazyFunction(lambda: Level.objects.get(slug="mid"))
    company = None
    question_count = 2
    duration_minutes = 30

    @factory.post_generation
    def categories(template, create, extracted, **kwargs):
        template.categories.set(Category.objects.filter(slug__in=extracted or ["ml-theory"]))


def interview_session(candidate, questions, *, mode: str = "timed", duration_minutes: int | None = 30):
    """A session on exactly these questions, in this order (position 1 is questions[0])."""
    from interviews.services import session_start_with_questions

    return session_start_with_questions(
        candidate=candidate,
        questions=questions,
        mode=mode,
        duration_minutes=duration_minutes if mode == "timed" else None,
    )


def session_submitted_context(**overrides) -> dict:
    """A context for the ``session_submitted`` e-mail template (see its header for the keys)."""
    from datetime import UTC, datetime

    return {
        "name": "Ada",
        "session_title": "ML Engineer · Mid — timed interview",
        "submitted_at": datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
        "auto_graded": {"correct": 3, "total": 4},
        "awaiting_review": 2,
        "score": None,
        "url": "http://testserver/sessions/42/",
        **overrides,
    }


_outbox_numbers = itertools.count(1)


def outbox_email(user=None, *, key: str | None = None, to_email: str | None = None, **fields):
    """An e-mail put in the outbox through ``email_enqueue`` (a ``session_submitted`` one by default).

    Sent after the caller's transaction commits, as in the app; pass ``attachments=``, ``context=`` …
    """
    from notifications.services import email_enqueue

    number = next(_outbox_numbers)
    return email_enqueue(
        **{
            "kind": "session_submitted",
            "key": key or f"session_submitted:session:{number}:user:{user.pk if user else 0}",
            "to_email": to_email or (user.email if user else "someone@example.com"),
            "template": "session_submitted",
            "context": session_submitted_context(),
            "user": user,
            **fields,
        }
    )


def coach_slot(coach, *, start=None, hours_ahead: float = 48, minutes: int = 60, **fields):
    """An open slot of ``coach``, written directly (as the admin would); by default 2 days ahead, 1 h."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import CoachProfile, Slot

    CoachProfile.objects.get_or_create(user=coach)
    start = start or timezone.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
    return Slot.objects.create(coach=coach, start=start, end=start + timedelta(minutes=minutes), **fields)


def submitted_session(candidate, questions, *, answers: dict[int, str] | None = None):
    """A session on these questions, answered (``{position: text}``, default a short text for each
    written/code item) and submitted by the candidate: what lands in the review queue."""
    from interviews.models import InterviewSession, SessionItem
    from interviews.services import answer_save, session_submit

    session = interview_session(candidate, questions)
    for item in SessionItem.objects.filter(session=session).select_related("revision"):
        if item.revision.content["kind"] == "multiple_choice":
            continue
        text = (answers or {}).get(item.position, f"My answer to question {item.position}.")
        answer_save(session=session, position=item.position, content=text, version=0)
    session_submit(session_id=session.pk, user=candidate, closed_by=InterviewSession.ClosedBy.CANDIDATE)
    session.refresh_from_db()
    return session


ML_THEORY_SCORES = {"accuracy": 4, "depth": 3, "judgement": 2, "communication": 1}
