"""No input is a 500: odd query parameters, path values and JSON bodies are refused with a 4xx in the
API's error shape. (Review and scheduling inputs: tests/reviews and tests/scheduling, test_bad_input.)"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from interviewnode.errors import ApplicationError
from interviewnode.params import parse_int, query_int, query_slug
from interviewnode.parsers import MAX_JSON_DEPTH
from questions.models import Question
from tests.factories import QuestionFactory, coach_slot

pytestmark = pytest.mark.django_db

PAGINATED = [
    "/api/v1/questions/",
    "/api/v1/sessions/",
    "/api/v1/reviews/queue/",
    "/api/v1/coaches/",
    "/api/v1/coaches/{coach}/slots/",
]


def assert_refused(response, status: int = 400, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["code"], str) and isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- the helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١٢", "1.5", "-1", " 1", "1e3", "", "0x10", "9" * 40])
def test_parse_int_takes_only_plain_ascii_digits_within_bounds(value):
    assert parse_int(value, min_value=0, max_value=10**6) is None


def test_parse_int_returns_the_number():
    assert parse_int("042", min_value=1, max_value=100) == 42
    assert parse_int("101", min_value=1, max_value=100) is None


def test_query_int_and_query_slug_refuse_with_invalid_parameter():
    with pytest.raises(ApplicationError) as refused:
        query_int({"n": "²"}, "n", min_value=1, max_value=5)
    assert (refused.value.code, refused.value.status_code) == ("invalid_parameter", 400)
    assert refused.value.extra["errors"] == {"n": [refused.value.detail]}
    assert query_int({}, "n", min_value=1, max_value=5, default=3) == 3
    assert query_slug({"s": "ml-engineer"}, "s") == "ml-engineer"
    for bad in ("a\x00", "%", "a b", "x" * 101):
        with pytest.raises(ApplicationError):
            query_slug({"s": bad}, "s")


# --- page_size on every paginated endpoint -----------------------------------------------------------


@pytest.mark.parametrize("path", PAGINATED)
@pytest.mark.parametrize("page_size", ["²", "١", "0", "101", "99999999999999999999999"])
def test_an_odd_page_size_is_a_400_on_every_paginated_endpoint(taxonomy, coach, path, page_size):
    coach_slot(coach)  # a listed coach, with a slot
    client = APIClient()
    client.force_authenticate(coach)

    response = client.get(path.format(coach=coach.pk), {"page_size": page_size})

    body = assert_refused(response, 400, "invalid_parameter")
    assert "100" in body["errors"]["page_size"][0]


@pytest.mark.parametrize("path", PAGINATED)
def test_a_good_page_size_is_served_on_every_paginated_endpoint(taxonomy, coach, path):
    coach_slot(coach)
    client = APIClient()
    client.force_authenticate(coach)

    response = client.get(path.format(coach=coach.pk), {"page_size": "5"})

    assert response.status_code == 200


# --- questions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["%", "%s", "%(x)s", "%25", "\x00", "a%00"])
def test_a_filter_value_with_a_percent_sign_or_nul_is_a_400(candidate_api, taxonomy, value):
    response = candidate_api.get("/api/v1/questions/", {"level": value})

    body = assert_refused(response, 400, "invalid")
    assert "level" in body["errors"]


def test_the_bank_page_refuses_a_percent_sign_in_a_filter(candidate_client, taxonomy):
    response = candidate_client.get("/questions/", {"level": "%"})
    assert response.status_code == 400


@pytest.mark.parametrize("pk", ["abc", "²", "99999999999999999999999"])
def test_patching_a_question_that_is_no_number_is_a_404(curator_api, taxonomy, pk):
    QuestionFactory()
    response = curator_api.patch(f"/api/v1/questions/{pk}/", {"title": "New title"}, format="json")
    assert_refused(response, 404, "not_found")


def test_patching_a_real_question_still_works(curator_api, taxonomy):
    question = QuestionFactory(title="Old title")
    response = curator_api.patch(f"/api/v1/questions/{question.pk}/", {"title": "New title"}, format="json")
    assert response.status_code == 200, response.json()
    assert Question.objects.get(pk=question.pk).title == "New title"


# --- sessions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["²", "99999999999999999999999", "\x00", "a\x00"])
def test_starting_a_session_from_an_odd_template_value_is_a_400(candidate_api, taxonomy, template):
    response = candidate_api.post("/api/v1/sessions/", {"template": template}, format="json")
    body = assert_refused(response, 400)
    assert "template" in body.get("errors", {}) or body["code"] == "invalid"


# --- JSON bodies -------------------------------------------------------------------------------------


def test_a_deeply_nested_body_is_a_400_on_the_anonymous_token_endpoint(api_client):
    response = api_client.post("/api/v1/auth/token/", nested(50_000), content_type="application/json")
    body = assert_refused(response, 400)
    assert str(MAX_JSON_DEPTH) in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/sessions/", "/api/v1/markdown/preview/", "/api/v1/bookings/"])
def test_a_deeply_nested_body_is_a_400_on_json_endpoints(candidate_api, path):
    body = '{"text": ' + nested(50_000) + "}"
    assert_refused(candidate_api.post(path, body, content_type="application/json"), 400)


def test_nesting_up_to_the_limit_is_parsed(candidate_api):
    body = json.dumps({"text": json.loads(nested(MAX_JSON_DEPTH - 1))})
    response = candidate_api.post("/api/v1/markdown/preview/", body, content_type="application/json")
    # Parsed: the serializer, not the parser, refuses a list as text.
    assert_refused(response, 400, "invalid")
    assert "text" in response.json()["errors"]

    too_deep = json.dumps({"text": json.loads(nested(MAX_JSON_DEPTH))})
    response = candidate_api.post("/api/v1/markdown/preview/", too_deep, content_type="application/json")
    assert "errors" not in assert_refused(response, 400)


def test_brackets_inside_strings_do_not_count_as_nesting(candidate_api):
    body = json.dumps({"text": nested(10_000) + '"\\'})
    response = candidate_api.post("/api/v1/markdown/preview/", body, content_type="application/json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    "body",
    ['{"text": "a\\u0000b"}', '{"te\\u0000xt": "a"}', '{"text": ["\\u0000"]}'],
)
def test_a_nul_character_in_a_json_body_is_a_400(candidate_api, body):
    response = candidate_api.post("/api/v1/markdown/preview/", body, content_type="application/json")
    assert_refused(response, 400)


def test_an_escaped_backslash_before_u0000_is_plain_text(candidate_api):
    body = json.dumps({"text": "C:\\u0000"})
    response = candidate_api.post("/api/v1/markdown/preview/", body, content_type="application/json")
    assert response.status_code == 200


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_a_wide_flat_body_is_checked_quickly(candidate_api):
    import time

    body = '{"text": "x", "pad": [' + ",".join(["[]"] * 500_000) + "]}"
    began = time.perf_counter()
    response = candidate_api.post("/api/v1/markdown/preview/", body, content_type="application/json")
    assert response.status_code == 200
    assert time.perf_counter() - began < 5
