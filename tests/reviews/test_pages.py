"""The server-rendered review pages: queue, review page, the candidate's results, the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.models import InterviewSession
from questions.models import Category, Question
from reviews import services
from reviews.models import ItemReview, Review, SelfAssessment
from tests.factories import QuestionFactory, submitted_session

from .helpers import FULL, full_review


def _form(publish: bool = False, **overrides) -> dict:
    """The review page's form, complete: question 1 scored FULL, question 2 all 4s."""
    data = {f"score-1-{key}": str(value) for key, value in FULL.items()}
    data |= {f"score-2-{key}": "4" for key in FULL}
    data |= {
        "comment-1": "Clear on the mechanism.",
        "comment-2": "Excellent.",
        "summary_strengths": "Sound basics.",
        "summary_improvements": "Depth.",
        "summary_next_steps": "Read papers.",
        "recommendation": "hire",
        "action": "publish" if publish else "save",
    }
    return data | overrides


@pytest.fixture
def coach_client(client, coach):
    client.force_login(coach)
    return client


def test_the_queue_page_lists_sessions_with_a_claim_button(coach_client, session):
    response = coach_client.get("/reviews/")

    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("reviews:claim", args=[session.pk]) in page
    assert "Review queue" in page  # the nav link


def test_the_queue_page_is_for_coaches_only(candidate_client, session):
    response = candidate_client.get("/reviews/")

    assert response.status_code == 404
    assert "Review queue" not in candidate_client.get("/").content.decode()


def test_the_queue_page_filters(coach_client, session):
    page = coach_client.get("/reviews/", {"company": "google"}).content.decode()

    assert reverse("reviews:claim", args=[session.pk]) not in page
    assert "Nothing waiting for review." in page


def test_claiming_from_the_queue_opens_the_review_page(coach_client, coach, session, questions):
    response = coach_client.post(f"/reviews/{session.pk}/claim/", follow=True)

    assert response.redirect_chain[-1][0] == f"/reviews/{session.pk}/"
    page = response.content.decode()
    assert "Explain dropout" in page
    assert "Dropout <strong>zeroes</strong> units." in page  # Markdown rendered
    assert "The secret reference answer." in page
    assert 'name="score-1-accuracy" value="4"' in page
    assert "Strong hire" in page  # the anchors' labels
    assert Review.objects.get(session=session).coach == coach


def test_a_second_coach_claiming_is_told_it_is_taken(coach, client, other_coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    client.force_login(other_coach)

    response = client.post(f"/reviews/{session.pk}/claim/", follow=True)

    assert "Another coach has claimed this session." in response.content.decode()
    assert client.get(f"/reviews/{session.pk}/").status_code == 404
    assert Review.objects.get(session=session).coach == coach


def test_a_candidates_answer_is_sanitised_on_the_review_page(coach_client, coach, candidate, questions):
    hostile = submitted_session(
        candidate, questions, answers={1: "<script>alert(1)</script><img src=x onerror=alert(2)>"}
    )
    services.review_claim(coach=coach, session_id=hostile.pk)

    page = coach_client.get(f"/reviews/{hostile.pk}/").content.decode()

    assert "<script>alert(1)" not in page
    assert "onerror" not in page


def test_a_code_answer_is_highlighted_and_escaped_on_the_review_page(
    coach_client, coach, candidate, taxonomy
):
    code = QuestionFactory(title="Sum a list", kind=Question.Kind.CODE, language="python")
    submitted = submitted_session(candidate, [code], answers={1: "print('<b>bold</b>')"})
    services.review_claim(coach=coach, session_id=submitted.pk)

    page = coach_client.get(f"/reviews/{submitted.pk}/").content.decode()

    assert '<div class="highlight">' in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_saving_a_draft_and_coming_back(coach_client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    response = coach_client.post(f"/reviews/{session.pk}/", _form(), follow=True)

    page = response.content.decode()
    assert "Draft saved." in page
    assert 'value="4" checked' in page
    assert "Clear on the mechanism." in page
    assert Review.objects.get().status == Review.Status.DRAFT


def test_publishing_with_missing_scores_lists_them_on_the_page(coach_client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    form = {k: v for k, v in _form(publish=True).items() if not k.startswith("score-2-")}

    response = coach_client.post(f"/reviews/{session.pk}/", form)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Still needed before publishing" in page
    assert "Question 2: Technical accuracy, Depth of understanding" in page
    assert Review.objects.get().status == Review.Status.DRAFT
    assert ItemReview.objects.get(item__position=1).comment == "Clear on the mechanism."  # the draft is kept


def test_publishing_from_the_page(coach_client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    response = coach_client.post(f"/reviews/{session.pk}/", _form(publish=True), follow=True)

    assert "Published" in response.content.decode()
    session.refresh_from_db()
    assert session.status == InterviewSession.Status.REVIEWED


def test_releasing_from_the_page(coach_client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)

    coach_client.post(f"/reviews/{session.pk}/release/")

    session.refresh_from_db()
    assert session.status == InterviewSession.Status.SUBMITTED


# --- the candidate's results page ------------------------------------------------------------------


def _publish(coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    body = full_review(publish=True)
    services.review_save(
        coach=coach,
        session_id=session.pk,
        **{k: body[k] for k in ("items", "summary", "recommendation", "publish")},
    )


def test_the_candidate_sees_nothing_of_a_draft(candidate_client, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    body = full_review()
    services.review_save(
        coach=coach,
        session_id=session.pk,
        items=body["items"],
        summary=body["summary"],
        recommendation="hire",
    )

    page = candidate_client.get(f"/interviews/{session.pk}/results/").content.decode()

    assert "Clear on the mechanism." not in page
    assert "Sound basics." not in page
    assert 'id="coach-feedback"' not in page
    assert "Awaiting review" in page


def test_the_candidate_reads_published_feedback(candidate_client, coach, session):
    services.self_assess(session=session, position=1, scores=dict.fromkeys(FULL, 2))
    _publish(coach, session)

    page = candidate_client.get(f"/interviews/{session.pk}/results/").content.decode()

    assert "Clear on the mechanism." in page
    assert "Sound basics." in page and "Read papers." in page
    assert '<strong id="recommendation">Hire</strong>' in page
    assert "57/100" in page and "100/100" in page  # the answers' scores
    assert ">52<" in page  # the session score, rounded
    # Self vs coach per criterion on question 1.
    assert '<td data-coach="accuracy">4/4</td><td data-self="accuracy">2/4</td>' in page
    assert "Save self-assessment" not in page


def test_the_candidate_self_assesses_from_the_results_page(candidate_client, session):
    page = candidate_client.get(f"/interviews/{session.pk}/results/").content.decode()
    assert "Save self-assessment" in page

    form = {f"self-{key}": str(value) for key, value in FULL.items()}
    response = candidate_client.post(f"/reviews/{session.pk}/self-assessment/1/", form, follow=True)

    assert "Your self-assessment of question 1 is saved." in response.content.decode()
    assert SelfAssessment.objects.get().scores == FULL


def test_another_candidate_cannot_self_assess(client, other_candidate, session):
    client.force_login(other_candidate)

    response = client.post(f"/reviews/{session.pk}/self-assessment/1/", {f"self-{k}": "4" for k in FULL})

    assert response.status_code == 404
    assert not SelfAssessment.objects.exists()


# --- admin -----------------------------------------------------------------------------------------


def test_admin_sees_coach_figures(client, admin_user, coach, session):
    _publish(coach, session)
    client.force_login(admin_user)

    page = client.get("/admin/reviews/review/stats/").content.decode()

    assert coach.email in page
    # Both answers are ML theory: (56.67 + 100) / 2 = 78.3, and coach is the only coach.
    assert "ML theory: 78.3 (78.3)" in page


def test_coach_figures_count_an_answer_in_the_category_it_was_asked_in(
    client, admin_user, coach, session, questions
):
    _publish(coach, session)
    # Moved after it was asked: the answer still counts as ML theory, where it was reviewed.
    Question.objects.filter(pk=questions[0].pk).update(category=Category.objects.get(slug="coding"))
    client.force_login(admin_user)

    page = client.get("/admin/reviews/review/stats/").content.decode()

    assert "ML theory: 78.3 (78.3)" in page
    assert "Coding:" not in page


def test_admin_reassigns_and_releases_claims(client, admin_user, coach, other_coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    review = Review.objects.get()
    client.force_login(admin_user)

    client.post(
        "/admin/reviews/review/",
        {"action": "reassign", "_selected_action": [review.pk], "coach": other_coach.pk},
    )
    assert Review.objects.get().coach == other_coach

    client.post("/admin/reviews/review/", {"action": "release", "_selected_action": [review.pk]})
    assert Review.objects.get().coach is None
    session.refresh_from_db()
    assert session.status == InterviewSession.Status.SUBMITTED


def test_reviews_are_read_only_in_the_admin(client, admin_user, coach, session):
    services.review_claim(coach=coach, session_id=session.pk)
    review = Review.objects.get()
    client.force_login(admin_user)

    assert client.get(f"/admin/reviews/review/{review.pk}/change/").status_code == 200  # shown
    assert client.post(f"/admin/reviews/review/{review.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post("/admin/reviews/review/", {"action": "delete_selected", "_selected_action": [review.pk]})

    assert Review.objects.filter(pk=review.pk, coach=coach).exists()
