"""The candidate's pages for mock interviews: start, take, results, my sessions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.models import InterviewSession
from interviews.services import session_submit
from questions.models import Level
from questions.models import Role as JobRole
from tests.factories import InterviewTemplateFactory, QuestionFactory, interview_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


def _mc_question(**kwargs):
    return QuestionFactory(
        choices=[("The right one", True), ("A wrong one", False), ("Another wrong one", False)], **kwargs
    )


def test_start_page_offers_the_templates_and_a_custom_mix(candidate_client):
    InterviewTemplateFactory(name="Meta E5 ML system design round, 45 min")

    response = candidate_client.get(reverse("interviews:new"))

    assert response.status_code == 200
    assert "Meta E5 ML system design round, 45 min" in response.content.decode()
    assert 'id="custom-form"' in response.content.decode()


def test_starting_from_a_template_opens_the_session_page(candidate_client, candidate):
    QuestionFactory.create_batch(3)
    template = InterviewTemplateFactory(question_count=2)

    response = candidate_client.post(
        reverse("interviews:from-template", args=[template.slug]), {"mode": "timed"}
    )

    session = InterviewSession.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response.url == reverse("interviews:take", args=[session.pk])
    assert session.template == template
    assert session.deadline is not None


def test_take_page_shows_every_question_but_no_reference_answer(candidate_client, candidate):
    questions = [QuestionFactory(title="Explain dropout"), _mc_question(title="Pick the metric")]
    session = interview_session(candidate, questions)

    page = candidate_client.get(reverse("interviews:take", args=[session.pk])).content.decode()

    assert "Explain dropout" in page and "Pick the metric" in page
    assert "The right one" in page
    assert "secret reference answer" not in page
    assert "Why the right choice is right" not in page
    assert f'data-deadline="{session.deadline.isoformat()}"' in page
    assert "data-server-time=" in page


def test_custom_mix_with_too_few_questions_says_so_and_offers_to_widen(candidate_client, candidate):
    QuestionFactory.create_batch(3, companies=["google"])
    QuestionFactory.create_batch(3)
    form = {
        "mode": "timed",
        "role": "ml-engineer",
        "level": "mid",
        "company": "google",
        "categories": ["ml-theory"],
        "question_count": 5,
        "duration_minutes": 45,
    }

    response = candidate_client.post(reverse("interviews:new"), form)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Only 3 published question(s) match" in page
    assert 'name="widen" value="company"' in page
    assert not InterviewSession.objects.exists()

    widened = candidate_client.post(reverse("interviews:new"), {**form, "widen": "company"})

    session = InterviewSession.objects.get(candidate=candidate)
    assert widened.status_code == 302
    assert session.company is None
    assert session.items.count() == 5


def test_practice_button_starts_an_untimed_session_on_that_question(candidate_client, candidate):
    question = QuestionFactory()

    response = candidate_client.post(reverse("interviews:practice", args=[question.pk]))

    session = InterviewSession.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert session.mode == InterviewSession.Mode.PRACTICE
    assert session.deadline is None
    assert [item.question_id for item in session.items.all()] == [question.pk]


def test_question_page_shows_the_practice_button_to_candidates_only(candidate_client, client, coach):
    question = QuestionFactory()
    url = reverse("questions:detail", args=[question.slug])
    practice = reverse("interviews:practice", args=[question.pk])

    assert practice in candidate_client.get(url).content.decode()
    client.force_login(coach)
    assert practice not in client.get(url).content.decode()


def test_someone_elses_session_pages_are_not_found(client, candidate, other_candidate):
    session = interview_session(candidate, [QuestionFactory(title="A private question")])
    client.force_login(other_candidate)

    for name in ("interviews:take", "interviews:results"):
        response = client.get(reverse(name, args=[session.pk]))
        assert response.status_code == 404
        assert "A private question" not in response.content.decode()


def test_results_show_grading_explanations_and_reference_answers(candidate_client, candidate):
    from interviews.services import answer_save, session_submit

    written, mc = QuestionFactory(), _mc_question()
    session = interview_session(candidate, [written, mc])
    right = mc.choices.get(is_correct=True)
    answer_save(session=session, position=2, choice_ids=[right.pk], version=0)
    session_submit(session_id=session.pk, user=candidate, closed_by="candidate")

    page = candidate_client.get(reverse("interviews:results", args=[session.pk])).content.decode()

    assert "Correct · 100" in page
    assert "Why the right choice is right" in page
    assert "secret reference answer" in page
    assert "Awaiting review" in page


def test_take_page_of_a_submitted_session_goes_to_the_results(candidate_client, candidate):
    from interviews.services import session_submit

    session = interview_session(candidate, [QuestionFactory()])
    session_submit(session_id=session.pk, user=candidate, closed_by="candidate")

    response = candidate_client.get(reverse("interviews:take", args=[session.pk]))

    assert response.status_code == 302
    assert response.url == reverse("interviews:results", args=[session.pk])


def test_my_sessions_lists_only_my_sessions(candidate_client, candidate, other_candidate):
    mine = interview_session(candidate, [QuestionFactory()])
    theirs = interview_session(other_candidate, [QuestionFactory()])

    page = candidate_client.get(reverse("interviews:mine")).content.decode()

    assert reverse("interviews:take", args=[mine.pk]) in page
    assert reverse("interviews:take", args=[theirs.pk]) not in page


def test_the_session_page_my_sessions_and_the_results_name_a_custom_session_alike(
    candidate_client, candidate
):
    session = interview_session(candidate, [QuestionFactory()])
    InterviewSession.objects.filter(pk=session.pk).update(
        role=JobRole.objects.get(slug="ml-engineer"), level=Level.objects.get(slug="mid")
    )
    taking = candidate_client.get(reverse("interviews:take", args=[session.pk])).content.decode()
    assert '<h1 class="h5 mb-0 me-auto">Custom interview: ML Engineer, Mid</h1>' in taking
    session_submit(session_id=session.pk, user=candidate, closed_by="candidate")

    listed = candidate_client.get(reverse("interviews:mine")).content.decode()
    results = candidate_client.get(reverse("interviews:results", args=[session.pk])).content.decode()

    assert "Custom interview: ML Engineer, Mid" in listed
    assert "Results: Custom interview: ML Engineer, Mid" in results


def test_coaches_cannot_start_mock_interviews(client, coach):
    client.force_login(coach)

    assert client.get(reverse("interviews:new")).status_code == 404


@pytest.mark.parametrize("count", [2, 8])
def test_take_page_query_count_does_not_grow_with_questions(
    candidate_client, candidate, count, django_assert_num_queries
):
    session = interview_session(candidate, [_mc_question() for _ in range(count)])
    url = reverse("interviews:take", args=[session.pk])

    # auth session, user, the user's roles (the nav's "Review queue" link), the session (with
    # template/role/level/company), its items with revisions and answers: the same for 2 and 8 questions.
    with django_assert_num_queries(5):
        assert candidate_client.get(url).status_code == 200


def test_markdown_preview_is_sanitised(candidate_api):
    response = candidate_api.post(
        reverse("api:markdown-preview"), {"text": "**bold** <script>alert(1)</script>"}, format="json"
    )

    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.json()["html"]
    assert "<script" not in response.json()["html"]


def test_markdown_preview_refuses_an_oversized_text(candidate_api):
    response = candidate_api.post(
        reverse("api:markdown-preview"), {"text": "x" * (64 * 1024 + 1)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_menu_shows_each_role_its_own_pages(client, candidate, coach):
    client.force_login(candidate)
    page = client.get(reverse("home")).content.decode()
    assert reverse("interviews:new") in page and reverse("reviews:queue") not in page

    client.force_login(coach)
    page = client.get(reverse("home")).content.decode()
    assert reverse("reviews:queue") in page and reverse("interviews:new") not in page
