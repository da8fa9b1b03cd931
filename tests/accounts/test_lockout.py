"""Brute-force protection: django-axes locks an (account, IP) pair, never an account everywhere."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

ATTACKER_IP = "203.0.113.66"
OWNER_IP = "198.51.100.7"
LOCKOUT_TEXT = "Too many failed sign-in attempts"


def test_the_failure_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == 5


# --- the HTML login form ---------------------------------------------------------------------------


def _form_login(email: str, password: str, ip: str, client: Client | None = None):
    client = client or Client()
    response = client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)
    return client, response


def _fail_on_form(email: str, ip: str, times: int = 5) -> None:
    for attempt in range(times):
        _, response = _form_login(email, f"wrong-password-{attempt}", ip)
        if attempt < times - 1:
            assert response.status_code == 200, "an ordinary failure shows the form again"


def test_after_five_failures_the_right_password_is_refused_from_that_ip(candidate, password):
    _fail_on_form(candidate.email, ATTACKER_IP)

    client, response = _form_login(candidate.email, password, ATTACKER_IP)

    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_the_account(candidate, password):
    _fail_on_form(candidate.email, ATTACKER_IP, times=4)

    client, response = _form_login(candidate.email, password, ATTACKER_IP)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk


def test_the_real_user_still_logs_in_from_another_ip(candidate, password):
    _fail_on_form(candidate.email, ATTACKER_IP)

    client, response = _form_login(candidate.email, password, OWNER_IP)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk


def test_another_account_from_the_attackers_ip_is_unaffected(candidate, password):
    other = UserFactory()
    _fail_on_form(candidate.email, ATTACKER_IP)

    client, response = _form_login(other.email, password, ATTACKER_IP)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == other.pk


def test_email_case_variants_count_as_the_same_account(candidate, password):
    local, domain = candidate.email.split("@")
    variants = [
        candidate.email.upper(),
        f"{local.capitalize()}@{domain}",
        f"{local}@{domain.upper()}",
        f" {candidate.email} ",
        candidate.email,
    ]
    for attempt, email in enumerate(variants):
        _form_login(email, f"wrong-password-{attempt}", ATTACKER_IP)

    client, response = _form_login(candidate.email.title(), password, ATTACKER_IP)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count(candidate, password):
    _fail_on_form(candidate.email, ATTACKER_IP, times=4)
    _form_login(candidate.email, password, ATTACKER_IP)
    _fail_on_form(candidate.email, ATTACKER_IP, times=4)

    _, response = _form_login(candidate.email, password, ATTACKER_IP)

    assert response.status_code == 302


# --- POST /api/v1/auth/token/ ----------------------------------------------------------------------


def _token(email: str, password: str, ip: str):
    return APIClient().post("/api/v1/auth/token/", {"email": email, "password": password}, REMOTE_ADDR=ip)


def _fail_on_api(email: str, ip: str, times: int = 5) -> None:
    for attempt in range(times):
        response = _token(email, f"wrong-password-{attempt}", ip)
        if attempt < times - 1:
            assert response.status_code == 401


def test_the_token_api_refuses_a_locked_pair_with_429(candidate, password):
    _fail_on_api(candidate.email, ATTACKER_IP)

    response = _token(candidate.email, password, ATTACKER_IP)

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert LOCKOUT_TEXT in body["detail"]
    assert "token" not in body


def test_the_token_api_still_serves_the_real_user_from_another_ip(candidate, password):
    _fail_on_api(candidate.email, ATTACKER_IP)

    response = _token(candidate.email, password, OWNER_IP)

    assert response.status_code == 200
    assert response.json()["token"]


def test_the_token_api_serves_another_account_from_the_attackers_ip(candidate, password):
    other = UserFactory()
    _fail_on_api(candidate.email, ATTACKER_IP)

    response = _token(other.email, password, ATTACKER_IP)

    assert response.status_code == 200
    assert response.json()["token"]


def test_the_token_api_counts_email_case_variants_as_one_account(candidate, password):
    for attempt in range(5):
        email = candidate.email.upper() if attempt % 2 else candidate.email.capitalize()
        _token(email, f"wrong-password-{attempt}", ATTACKER_IP)

    response = _token(candidate.email, password, ATTACKER_IP)

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_failures_on_the_form_and_the_api_add_up(candidate, password):
    _fail_on_form(candidate.email, ATTACKER_IP, times=3)
    _fail_on_api(candidate.email, ATTACKER_IP, times=2)

    assert _token(candidate.email, password, ATTACKER_IP).status_code == 429
    assert _form_login(candidate.email, password, ATTACKER_IP)[1].status_code == 429


# --- behind reverse proxies (TRUSTED_PROXY_COUNT) --------------------------------------------------

PROXY_IP = "10.0.0.2"


def _form_login_via(email: str, password: str, remote: str, forwarded: str):
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return client, response


def _token_via(email: str, password: str, remote: str, forwarded: str):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_without_proxies_rotating_the_forwarded_header_does_not_escape_the_lockout(
    candidate, password, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        _form_login_via(candidate.email, f"wrong-{attempt}", ATTACKER_IP, f"192.0.2.{attempt}")

    client, response = _form_login_via(candidate.email, password, ATTACKER_IP, OWNER_IP)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert _token_via(candidate.email, password, ATTACKER_IP, "192.0.2.99").status_code == 429


def test_without_proxies_a_forged_header_cannot_lock_out_the_owners_address(candidate, password, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(5):
        _token_via(candidate.email, f"wrong-{attempt}", ATTACKER_IP, OWNER_IP)

    response = _token(candidate.email, password, OWNER_IP)

    assert response.status_code == 200


def test_behind_one_proxy_the_attacker_is_locked_however_they_rotate_the_header(
    candidate, password, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        _form_login_via(candidate.email, f"wrong-{attempt}", PROXY_IP, f"192.0.2.{attempt}, {ATTACKER_IP}")

    _, form = _form_login_via(candidate.email, password, PROXY_IP, f"192.0.2.77, {ATTACKER_IP}")
    api = _token_via(candidate.email, password, PROXY_IP, f"{OWNER_IP}, {ATTACKER_IP}")

    assert form.status_code == 429
    assert api.status_code == 429


def test_behind_one_proxy_the_owner_still_signs_in_through_the_same_proxy(candidate, password, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(5):
        _token_via(candidate.email, f"wrong-{attempt}", PROXY_IP, ATTACKER_IP)

    client, form = _form_login_via(candidate.email, password, PROXY_IP, OWNER_IP)
    api = _token_via(candidate.email, password, PROXY_IP, OWNER_IP)

    assert form.status_code == 302
    assert int(client.session["_auth_user_id"]) == candidate.pk
    assert api.status_code == 200
