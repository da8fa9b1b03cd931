"""API tokens die with the password that obtained them, and the profile page can revoke them."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _token_for(user, password: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"email": user.email, "password": password})
    assert response.status_code == 200
    return response.json()["token"]


def _works(token: str) -> bool:
    status = APIClient().get("/api/v1/sessions/", HTTP_AUTHORIZATION=f"Token {token}").status_code
    assert status in (200, 401)
    return status == 200


def test_changing_the_password_revokes_the_token(client, candidate, password):
    token = _token_for(candidate, password)
    client.force_login(candidate)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password(NEW_PASSWORD)
    assert not _works(token)
    assert not Token.objects.filter(user=candidate).exists()
    assert _works(_token_for(candidate, NEW_PASSWORD))


def test_a_refused_password_change_keeps_the_token(client, candidate, password):
    token = _token_for(candidate, password)
    client.force_login(candidate)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert _works(token)


def test_resetting_the_password_revokes_the_token(
    client, candidate, password, django_capture_on_commit_callbacks
):
    token = _token_for(candidate, password)
    # The e-mail may be sent once the request's writes commit.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": candidate.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]*/)", mail.outbox[0].body)
    form_path = client.get(link.group(1), follow=True).redirect_chain[-1][0]

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not _works(token)
    assert not Token.objects.filter(user=candidate).exists()


def test_setting_a_first_password_revokes_any_token(client):
    user = User.objects.create_user(email="no.password@example.com", password=None)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    token = Token.objects.create(user=user).key
    client.force_login(user)

    response = client.post("/accounts/password/set/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not _works(token)


def test_an_admin_setting_someones_password_revokes_their_token(client, candidate, password):
    token = _token_for(candidate, password)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.post(
        f"/admin/accounts/user/{candidate.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password(NEW_PASSWORD)
    assert not _works(token)


def test_a_password_change_leaves_other_users_tokens_alone(client, candidate, password):
    other = UserFactory()
    theirs = _token_for(other, password)
    client.force_login(candidate)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert _works(theirs)


# --- the profile page --------------------------------------------------------------------------------


def test_the_profile_page_says_when_there_is_no_api_token(client, candidate, taxonomy):
    client.force_login(candidate)

    page = client.get("/profile/").content.decode()

    assert "API access" in page
    assert "You have no API token" in page
    assert "Revoke API token" not in page


def test_the_profile_page_shows_an_api_token_exists_without_its_key(client, candidate, password, taxonomy):
    token = _token_for(candidate, password)
    client.force_login(candidate)

    page = client.get("/profile/").content.decode()

    assert "You have an API token" in page
    assert "Revoke API token" in page
    assert token not in page


def test_revoking_from_the_profile_page_stops_the_token(client, candidate, password, taxonomy):
    token = _token_for(candidate, password)
    client.force_login(candidate)

    response = client.post("/profile/api-token/revoke/", follow=True)

    assert response.redirect_chain == [("/profile/", 302)]
    page = response.content.decode()
    assert "Your API token is revoked" in page
    assert "You have no API token" in page
    assert not _works(token)


def test_revoking_from_the_profile_page_takes_a_post(client, candidate, password):
    token = _token_for(candidate, password)
    client.force_login(candidate)

    assert client.get("/profile/api-token/revoke/").status_code == 405
    assert _works(token)


def test_revoking_from_the_profile_page_needs_a_sign_in(client, candidate, password):
    token = _token_for(candidate, password)

    response = client.post("/profile/api-token/revoke/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _works(token)
