import pytest

from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_taxonomy_is_public(api_client, taxonomy):
    response = api_client.get("/api/v1/taxonomy/")
    assert response.status_code == 200
    assert {c["slug"] for c in response.json()["categories"]} >= {"coding", "behavioral"}


def test_question_detail_hides_the_reference_answer(candidate_api, taxonomy):
    question = QuestionFactory()
    response = candidate_api.get(f"/api/v1/questions/{question.id}/")
    assert response.status_code == 200
    assert "secret reference answer" not in response.content.decode()
