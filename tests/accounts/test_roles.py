"""Roles are Django groups: who may curate, and how the admin grants a role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from accounts.models import Profile, Role, User
from accounts.roles import role_grant
from questions.models import Question
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _question_payload(**overrides) -> dict:
    return {
        "slug": "bias-variance-by-api",
        "title": "Explain the bias-variance trade-off",
        "kind": "written",
        "category": "ml-theory",
        "difficulty": "medium",
        "roles": ["ml-engineer"],
        "levels": ["mid"],
        "prompt": "What is the **bias-variance** trade-off?",
        "reference_answer": "Bias is error from wrong assumptions; variance from sensitivity to data.",
        **overrides,
    }


# --- the groups ------------------------------------------------------------------------------------


def test_the_role_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {"candidate", "coach", "curator", "admin"}


def test_the_curator_group_may_add_and_change_questions():
    curator_perms = set(Group.objects.get(name="curator").permissions.values_list("codename", flat=True))

    assert {"add_question", "change_question", "view_question"} <= curator_perms
    assert "delete_question" not in curator_perms
    assert not Group.objects.get(name="candidate").permissions.exists()


def test_a_curator_has_the_question_permissions_through_the_group(curator, candidate):
    assert curator.has_perms(["questions.add_question", "questions.change_question"])
    assert not candidate.has_perm("questions.add_question")


# --- what a candidate cannot do ------------------------------------------------------------------


def test_candidate_cannot_open_the_admin(client, candidate):
    client.force_login(candidate)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/questions/question/").status_code == 302


def test_candidate_cannot_create_a_question_through_the_api(candidate_api, taxonomy):
    response = candidate_api.post("/api/v1/questions/", _question_payload(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.json()["detail"]
    assert not Question.objects.filter(slug="bias-variance-by-api").exists()


def test_candidate_cannot_change_a_question_through_the_api(candidate_api, taxonomy):
    question = QuestionFactory(title="The original title")

    response = candidate_api.patch(f"/api/v1/questions/{question.id}/", {"title": "Defaced"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    question.refresh_from_db()
    assert question.title == "The original title"


def test_coach_cannot_create_a_question_through_the_api(coach, taxonomy):
    client = APIClient()
    client.force_authenticate(coach)

    response = client.post("/api/v1/questions/", _question_payload(), format="json")

    assert response.status_code == 403


def test_anonymous_cannot_create_a_question_through_the_api(api_client, taxonomy):
    response = api_client.post("/api/v1/questions/", _question_payload(), format="json")

    assert response.status_code == 401
    assert not Question.objects.exists()


# --- what a curator can do -----------------------------------------------------------------------


def test_curator_creates_a_question_through_the_api(curator_api, curator, taxonomy):
    response = curator_api.post("/api/v1/questions/", _question_payload(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    question = Question.objects.get(pk=body["id"])
    assert question.title == "Explain the bias-variance trade-off"
    assert question.category.slug == "ml-theory"
    assert list(question.roles.values_list("slug", flat=True)) == ["ml-engineer"]
    assert question.author == curator
    assert question.status == Question.Status.DRAFT
    assert question.revisions.count() == 1


def test_curator_changes_a_question_through_the_api(curator_api, taxonomy):
    question_id = curator_api.post("/api/v1/questions/", _question_payload(), format="json").json()["id"]

    response = curator_api.patch(
        f"/api/v1/questions/{question_id}/", {"title": "Bias and variance, revisited"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Bias and variance, revisited"
    question = Question.objects.get(pk=question_id)
    assert question.title == "Bias and variance, revisited"
    assert question.prompt == "What is the **bias-variance** trade-off?"  # untouched fields stay
    assert question.revisions.count() == 2


def test_curator_gets_the_reasons_for_an_invalid_question(curator_api, taxonomy):
    response = curator_api.post(
        "/api/v1/questions/", _question_payload(category="astrology", reference_answer=""), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert any("category" in error for error in body["errors"])
    assert not Question.objects.exists()


def test_curator_can_open_the_question_admin(client, curator):
    client.force_login(curator)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/questions/question/").status_code == 200
    assert client.get("/admin/questions/question/add/").status_code == 200


# --- granting roles ------------------------------------------------------------------------------


def test_granting_curator_with_role_grant_gives_admin_access(client):
    user = UserFactory(role=Role.CANDIDATE)
    assert not user.is_staff

    role_grant(user=user, role=Role.CURATOR)

    user.refresh_from_db()
    assert user.is_staff
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_granting_coach_does_not_give_admin_access():
    user = UserFactory(role=Role.CANDIDATE)

    role_grant(user=user, role=Role.COACH)

    user.refresh_from_db()
    assert not user.is_staff
    assert user.is_coach


def _change_form(user: User, groups: list[Group]) -> dict:
    """What the admin's user change form posts, with the given groups ticked."""
    profile = Profile.objects.get(user=user)
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": user.timezone,
        "is_active": "on",
        "groups": [g.pk for g in groups],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": str(profile.pk),
        "profile-0-user": str(user.pk),
        "profile-0-target_role": "",
        "profile-0-target_level": "",
        "profile-0-interview_date": "",
    }


def test_granting_curator_in_the_admin_gives_staff_and_removing_it_takes_staff_away(admin_client):
    user = UserFactory(role=Role.CANDIDATE)
    candidate_group, curator_group = Group.objects.get(name="candidate"), Group.objects.get(name="curator")
    url = f"/admin/accounts/user/{user.pk}/change/"
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, _change_form(user, [candidate_group, curator_group]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"candidate", "curator"}

    response = admin_client.post(url, _change_form(user, [candidate_group]))

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_staff
    assert set(user.groups.values_list("name", flat=True)) == {"candidate"}


def test_a_user_added_in_the_admin_as_curator_gets_staff(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.curator@example.com",
            "password1": "a-long-enough-passphrase-1",
            "password2": "a-long-enough-passphrase-1",
            "usable_password": "true",
            "groups": [Group.objects.get(name="curator").pk],
            "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0",
            "profile-MIN_NUM_FORMS": "0",
            "profile-MAX_NUM_FORMS": "1",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.curator@example.com")
    assert user.is_staff
    assert user.check_password("a-long-enough-passphrase-1")


def test_candidate_cannot_open_the_admin_user_form(client, candidate):
    client.force_login(candidate)
    other = UserFactory()

    response = client.post(f"/admin/accounts/user/{other.pk}/change/", _change_form(other, []))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    other.refresh_from_db()
    assert other.groups.filter(name="candidate").exists()
