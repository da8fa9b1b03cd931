"""Interview templates: the demo set, the curators' admin, the list API; and the read-only session admin."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from interviews.models import InterviewTemplate
from interviews.services import answer_save, demo_templates, session_start_from_template, templates_seed
from questions.models import Category, Level
from questions.models import Role as JobRole
from tests.factories import InterviewTemplateFactory, QuestionFactory, interview_session

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_templates_that_each_start_a_session_from_the_shipped_bank():
    call_command("seed_demo", stdout=io.StringIO())
    candidate = User.objects.get(email="candidate@example.com")
    templates = list(InterviewTemplate.objects.all())
    assert len(templates) == len(demo_templates()) >= 6
    names = {t.name for t in templates}
    assert "Meta E5 ML system design round, 45 min" in names
    assert "Google L4 ML engineer screen: coding + ML theory, 60 min" in names
    assert "Amazon behavioral loop, 30 min" in names

    for template in templates:
        session = session_start_from_template(candidate=candidate, template=template)
        asked = [item.revision.content["category"] for item in session.items.select_related("revision")]
        assert len(asked) == template.question_count, template.name
        assert set(asked) <= {c.slug for c in template.categories.all()}, template.name
        assert len(set(asked)) == min(template.question_count, template.categories.count()), template.name

    # Seeding again neither duplicates a template nor undoes a curator's change.
    edited = InterviewTemplate.objects.get(slug="amazon-behavioral-loop")
    edited.name, edited.is_active = "Amazon bar raiser, 30 min", False
    edited.save()
    templates_seed()
    assert InterviewTemplate.objects.count() == len(demo_templates())
    edited.refresh_from_db()
    assert (edited.name, edited.is_active) == ("Amazon bar raiser, 30 min", False)


def test_the_template_list_api_offers_active_templates(taxonomy, candidate_api):
    shown = InterviewTemplateFactory(
        name="Google L4 screen, 60 min",
        categories=["coding", "ml-theory"],
        question_count=3,
        duration_minutes=60,
    )
    InterviewTemplateFactory(is_active=False)

    response = candidate_api.get("/api/v1/templates/")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": shown.slug, "name": "Google L4 screen, 60 min", "description": "", "role": "ml-engineer",
         "level": "mid", "company": None, "categories": ["coding", "ml-theory"], "question_count": 3,
         "duration_minutes": 60},
    ]  # fmt: skip


def test_curators_may_manage_templates(curator):
    for action in ("add", "change", "view"):
        assert curator.has_perm(f"interviews.{action}_interviewtemplate"), action
    assert not curator.has_perm("interviews.change_interviewsession")


def test_a_curator_creates_a_template_in_the_admin(taxonomy, client, curator):
    client.force_login(curator)
    assert client.get("/admin/interviews/interviewtemplate/add/").status_code == 200

    response = client.post(
        "/admin/interviews/interviewtemplate/add/",
        {
            "name": "Netflix staff ML system design, 60 min",
            "slug": "netflix-staff-mlsd",
            "description": "",
            "role": JobRole.objects.get(slug="ml-engineer").pk,
            "level": Level.objects.get(slug="staff").pk,
            "company": "",
            "categories": [Category.objects.get(slug="ml-system-design").pk],
            "question_count": 2,
            "duration_minutes": 60,
            "is_active": "on",
            "order": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    template = InterviewTemplate.objects.get(slug="netflix-staff-mlsd")
    assert [c.slug for c in template.categories.all()] == ["ml-system-design"]


def test_the_admin_refuses_a_template_of_more_than_20_questions(taxonomy, client, curator):
    client.force_login(curator)

    response = client.post(
        "/admin/interviews/interviewtemplate/add/",
        {"name": "Too long", "slug": "too-long", "role": JobRole.objects.get(slug="ml-engineer").pk,
         "level": Level.objects.get(slug="mid").pk, "categories": [Category.objects.get(slug="coding").pk],
         "question_count": 21, "duration_minutes": 60, "order": 0},
    )  # fmt: skip

    assert response.status_code == 200
    assert not InterviewTemplate.objects.filter(slug="too-long").exists()


def test_a_candidate_cannot_open_the_template_admin(client, candidate):
    client.force_login(candidate)

    response = client.get("/admin/interviews/interviewtemplate/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admins_see_a_session_read_only_with_its_answers(taxonomy, client, admin_user, candidate):
    session = interview_session(candidate, [QuestionFactory(title="Explain dropout")])
    answer_save(session=session, position=1, content="Dropout zeroes random units.", version=0)
    client.force_login(admin_user)

    page = client.get(f"/admin/interviews/interviewsession/{session.id}/change/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Explain dropout" in text
    assert "Dropout zeroes random units." in text
    assert 'name="_save"' not in text
    assert client.get("/admin/interviews/interviewsession/add/").status_code == 403
    assert client.get("/admin/interviews/interviewsession/").status_code == 200
