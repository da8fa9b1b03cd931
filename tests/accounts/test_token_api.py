"""POST /api/v1/auth/token/ and the ``Authorization: Token …`` header it is used with."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import QuestionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

TOKEN_URL = "/api/v1/auth/token/"


def _assert_error_shape(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_a_token_for_email_and_password_authenticates_the_question_list(
    api_client, candidate, password, taxonomy
):
    QuestionFactory(title="A published question")

    response = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(key=token).user == candidate
    reader = APIClient()
    listing = reader.get("/api/v1/questions/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200
    assert [q["title"] for q in listing.json()["results"]] == ["A published question"]


def test_each_sign_in_issues_a_new_token_and_the_one_before_stops_working(api_client, candidate, password):
    first = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    second = api_client.post(TOKEN_URL, {"email": candidate.email.upper(), "password": password}).json()[
        "token"
    ]

    assert first != second
    assert list(Token.objects.filter(user=candidate).values_list("key", flat=True)) == [second]
    _assert_error_shape(_questions(first), 401, "not_authenticated")
    assert _questions(second).status_code == 200


def test_a_wrong_password_leaves_the_current_token_working(api_client, candidate, password):
    token = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]

    api_client.post(TOKEN_URL, {"email": candidate.email, "password": "not-it"})

    assert _questions(token).status_code == 200


def test_a_stale_authorization_header_does_not_stop_getting_a_new_token(candidate, password):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token revoked-long-ago")

    response = client.post(TOKEN_URL, {"email": candidate.email, "password": password})

    assert response.status_code == 200
    assert Token.objects.get(user=candidate).key == response.json()["token"]


def _questions(token: str):
    return APIClient().get("/api/v1/questions/", HTTP_AUTHORIZATION=f"Token {token}")


# --- DELETE /api/v1/auth/token/ ---------------------------------------------------------------------


def test_delete_revokes_the_callers_token(api_client, candidate, password):
    token = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]

    response = APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Token.objects.filter(user=candidate).exists()
    _assert_error_shape(_questions(token), 401, "not_authenticated")


def test_delete_leaves_other_users_tokens_alone(api_client, candidate, password):
    other = UserFactory()
    mine = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    theirs = api_client.post(TOKEN_URL, {"email": other.email, "password": password}).json()["token"]

    APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {mine}")

    assert _questions(theirs).status_code == 200


def test_delete_with_the_browser_session_revokes_the_users_token(candidate, password):
    token = APIClient().post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    browser = APIClient()
    browser.force_login(candidate)

    assert browser.delete(TOKEN_URL).status_code == 204
    assert not Token.objects.filter(key=token).exists()


def test_delete_without_a_token_is_a_401(api_client):
    response = api_client.delete(TOKEN_URL)

    _assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_delete_with_a_revoked_token_is_a_401(api_client, candidate, password):
    token = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {token}")

    response = APIClient().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {token}")

    _assert_error_shape(response, 401, "not_authenticated")


def test_the_schema_documents_delete_with_204_and_401(api_client):
    schema = yaml.safe_load(api_client.get("/api/schema/").content)

    operations = schema["paths"]["/api/v1/auth/token/"]
    assert {"204", "401"} <= set(operations["delete"]["responses"])
    assert "content" not in operations["delete"]["responses"]["204"]
    assert {"200", "401"} <= set(operations["post"]["responses"])
    # Revoking needs the token (or the session); getting one needs neither.
    assert {"tokenAuth": []} in operations["delete"]["security"]
    assert operations["post"]["security"] == [{}]


def test_a_form_encoded_request_works_too(api_client, candidate, password):
    response = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password})

    assert response.status_code == 200
    assert response.json()["token"]


def test_a_wrong_password_is_a_401_with_the_error_shape(api_client, candidate):
    response = api_client.post(TOKEN_URL, {"email": candidate.email, "password": "not-it"}, format="json")

    body = _assert_error_shape(response, 401, "not_authenticated")
    assert "token" not in body
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(user=candidate).exists()


def test_an_unknown_email_is_the_same_401_as_a_wrong_password(api_client, candidate):
    unknown = api_client.post(
        TOKEN_URL, {"email": "ghost@example.com", "password": "whatever"}, format="json"
    )
    wrong = api_client.post(TOKEN_URL, {"email": candidate.email, "password": "whatever"}, format="json")

    _assert_error_shape(unknown, 401, "not_authenticated")
    assert unknown.json() == wrong.json()


def test_an_inactive_user_gets_no_token(api_client, password):
    user = UserFactory(is_active=False)

    response = api_client.post(TOKEN_URL, {"email": user.email, "password": password}, format="json")

    _assert_error_shape(response, 401, "not_authenticated")
    assert not Token.objects.filter(user=user).exists()


def test_missing_fields_are_a_400_naming_each_field(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")

    body = _assert_error_shape(response, 400, "invalid")
    assert set(body["errors"]) == {"email", "password"}


def test_a_malformed_email_is_a_400(api_client):
    response = api_client.post(TOKEN_URL, {"email": "not-an-address", "password": "x"}, format="json")

    body = _assert_error_shape(response, 400, "invalid")
    assert set(body["errors"]) == {"email"}


def test_the_token_endpoint_only_takes_post(api_client):
    _assert_error_shape(api_client.get(TOKEN_URL), 405, "method_not_allowed")


def test_anonymous_question_list_is_a_401(api_client):
    response = api_client.get("/api/v1/questions/")

    _assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token ",
        "Token a b",
        "Token nonsense",
        "Token 0123456789abcdef0123456789abcdef01234567",
    ],
)
def test_a_malformed_or_unknown_token_is_a_401_with_the_error_shape(api_client, header):
    response = api_client.get("/api/v1/questions/", HTTP_AUTHORIZATION=header)

    _assert_error_shape(response, 401, "not_authenticated")


def test_an_unknown_token_says_where_to_get_a_new_one(api_client):
    response = api_client.get("/api/v1/questions/", HTTP_AUTHORIZATION="Token nonsense")

    assert "/api/v1/auth/token/" in response.json()["detail"]


def test_a_deleted_token_stops_working(api_client, candidate, password):
    token = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    Token.objects.filter(key=token).delete()

    response = APIClient().get("/api/v1/questions/", HTTP_AUTHORIZATION=f"Token {token}")

    _assert_error_shape(response, 401, "not_authenticated")


def test_a_deactivated_users_token_stops_working(api_client, candidate, password):
    token = api_client.post(TOKEN_URL, {"email": candidate.email, "password": password}).json()["token"]
    candidate.is_active = False
    candidate.save()

    response = APIClient().get("/api/v1/questions/", HTTP_AUTHORIZATION=f"Token {token}")

    _assert_error_shape(response, 401, "not_authenticated")
