"""Sign-up, e-mail verification, login, logout and password reset through the allauth pages."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client, TestCase

from accounts.models import Profile, Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

NEW_PASSWORD = "a-brand-new-passphrase-42"
SIGNUP_PASSWORD = "plenty-long-signup-passphrase-7"


def _link(message, pattern: str) -> str:
    """The path of the first link in an e-mail that matches ``pattern``."""
    match = re.search(rf"https?://[^/\s]+(/{pattern}[^\s]*/)", message.body)
    assert match, f"no link matching {pattern!r} in:\n{message.body}"
    return match.group(1)


def _signup(client, email: str = "new.person@example.com", password: str = SIGNUP_PASSWORD):
    # The e-mail goes through the outbox, sent once the request's writes commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/accounts/signup/", {"email": email, "password1": password, "password2": password}, follow=True
        )


def _reset(client, email: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/accounts/password/reset/", {"email": email})


def _login(client, email: str, password: str, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def _is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_signup_sends_a_verification_email_and_the_link_confirms_the_address(client):
    response = _signup(client)

    assert response.status_code == 200
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert message.subject.startswith("[InterviewNode] ")
    assert not EmailAddress.objects.get(email="new.person@example.com").verified

    confirm_path = _link(message, "accounts/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "new.person@example.com" in page.content.decode()

    response = client.post(confirm_path)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new.person@example.com").verified
    assert _is_logged_in(client)


def test_a_new_user_gets_the_candidate_role_and_a_profile(client):
    _signup(client, email="Casey.New@Example.com")

    user = User.objects.get(email__iexact="casey.new@example.com")
    assert list(user.groups.values_list("name", flat=True)) == [Role.CANDIDATE.value]
    assert Profile.objects.filter(user=user).exists()
    assert not user.is_staff
    assert user.check_password(SIGNUP_PASSWORD)


def test_signup_refuses_an_address_that_is_already_registered(client, candidate):
    response = _signup(client, email=candidate.email.upper())

    assert User.objects.filter(email__iexact=candidate.email).count() == 1
    assert not _is_logged_in(client)
    assert response.status_code == 200


def test_an_unverified_user_cannot_log_in(client):
    _signup(client)
    client.logout()
    mail.outbox.clear()

    response = _login(client, "new.person@example.com", SIGNUP_PASSWORD, follow=True)

    assert not _is_logged_in(client)
    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    assert "verify" in response.content.decode().lower()
    assert client.get("/profile/").status_code == 302


def test_after_confirming_the_address_the_user_can_log_in_with_the_password(client):
    _signup(client)
    client.post(_link(mail.outbox[0], "accounts/confirm-email/"))
    client.post("/accounts/logout/")
    assert not _is_logged_in(client)

    response = _login(client, "new.person@example.com", SIGNUP_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/questions/"
    assert _is_logged_in(client)
    assert client.get("/profile/").status_code == 200


def test_a_user_logs_in_and_out(client, candidate, password):
    response = _login(client, candidate.email, password)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk
    page = client.get("/questions/")
    assert candidate.email in page.content.decode()

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not _is_logged_in(client)
    assert candidate.email not in client.get("/questions/").content.decode()


def test_login_accepts_the_email_in_another_case(client, candidate, password):
    _login(client, candidate.email.upper(), password)

    assert int(client.session["_auth_user_id"]) == candidate.pk


def test_a_wrong_password_does_not_log_in_and_says_so(client, candidate):
    response = _login(client, candidate.email, "not-the-password")

    assert response.status_code == 200
    assert not _is_logged_in(client)
    assert "not correct" in response.content.decode()


def test_password_reset_by_email_sets_a_new_password_that_logs_in(client, candidate, password):
    response = _reset(client, candidate.email)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [candidate.email]

    # The link from the e-mail moves the key into the session and redirects to the form.
    response = client.get(_link(mail.outbox[0], "accounts/password/reset/key/"), follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0]
    assert form_path.endswith("-set-password/")

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    candidate.refresh_from_db()
    assert candidate.check_password(NEW_PASSWORD)
    client.logout()
    assert _login(client, candidate.email, password).status_code == 200  # the old one is refused
    assert not _is_logged_in(client)
    assert _login(client, candidate.email, NEW_PASSWORD).status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk


def test_a_password_reset_link_works_only_once(client, candidate):
    _reset(client, candidate.email)
    link = _link(mail.outbox[0], "accounts/password/reset/key/")
    form_path = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    other = Client()
    response = other.get(link, follow=True)

    assert "The password reset link was invalid" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_does_not_reveal_it_and_sends_no_reset_link(client, candidate):
    response = _reset(client, "nobody@example.com")

    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
