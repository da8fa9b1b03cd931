"""The bank's lists cache their counts, a search's pages and the taxonomy index under the bank's
version and the filters: every write to the bank shows in the very next list request, whatever wrote
it."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questions import selectors
from questions.models import Question, Role
from questions.selectors import bank_changed, bank_version, question_search
from questions.services import question_transition
from tests.factories import QuestionFactory, questions_bulk_create

pytestmark = pytest.mark.django_db


def listed(client, **params) -> dict:
    response = client.get("/api/v1/questions/", params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_a_question_published_after_a_cached_count_is_counted_and_listed(candidate_api, taxonomy, curator):
    questions_bulk_create(3, prefix="old")
    assert listed(candidate_api)["count"] == 3
    draft = QuestionFactory(slug="fresh", title="A fresh question", status=Question.Status.DRAFT)
    assert listed(candidate_api)["count"] == 3

    question_transition(question=draft, to_status=Question.Status.IN_REVIEW, user=curator)
    question_transition(question=draft, to_status=Question.Status.PUBLISHED, user=curator)

    page = listed(candidate_api)
    assert page["count"] == 4
    assert "fresh" in [row["slug"] for row in page["results"]]


def test_retagging_a_question_changes_a_cached_filtered_list(candidate_api, taxonomy):
    question = QuestionFactory(roles=["ml-engineer"])
    assert listed(candidate_api, role="data-scientist")["count"] == 0

    question.roles.set(Role.objects.filter(slug="data-scientist"))

    page = listed(candidate_api, role="data-scientist")
    assert page["count"] == 1
    assert page["results"][0]["roles"] == ["data-scientist"]


def test_a_cached_search_follows_edits_and_retirement(candidate_api, taxonomy, curator):
    QuestionFactory(slug="horses", title="Horses and carts")
    question = QuestionFactory(slug="stripes", title="Plain title")
    assert listed(candidate_api, q="zebra")["count"] == 0

    question.title = "Zebra stripes as features"
    question.save()
    page = listed(candidate_api, q="zebra")
    assert (page["count"], [row["slug"] for row in page["results"]]) == (1, ["stripes"])
    assert listed(candidate_api, q="zebra")["results"][0]["title"] == "Zebra stripes as features"  # a hit

    question_transition(question=question, to_status=Question.Status.RETIRED, user=curator)

    assert listed(candidate_api, q="zebra") == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_renamed_role_is_a_filter_and_a_tag_at_once(candidate_api, taxonomy):
    QuestionFactory(roles=["ml-engineer"])
    assert listed(candidate_api, role="ml-engineer")["count"] == 1

    role = Role.objects.get(slug="ml-engineer")
    role.slug = "machine-learning-engineer"
    role.save()

    page = listed(candidate_api, role="machine-learning-engineer")
    assert page["results"][0]["roles"] == ["machine-learning-engineer"]
    response = candidate_api.get("/api/v1/questions/", {"role": "ml-engineer"})
    assert response.status_code == 400
    assert "machine-learning-engineer" in response.json()["errors"]["role"][0]


def test_list_rows_name_tags_in_the_order_the_detail_does(candidate_api, taxonomy):
    question = QuestionFactory(
        roles=["research-scientist", "applied-scientist"],
        levels=["staff", "entry", "senior"],
        companies=["openai", "amazon", "meta"],
    )

    row = listed(candidate_api)["results"][0]
    detail = candidate_api.get(f"/api/v1/questions/{question.id}/").json()

    assert row["levels"] == ["entry", "senior", "staff"]
    for field in ("category", "roles", "levels", "companies", "topics"):
        assert row[field] == detail[field], field


def test_the_version_changes_again_when_the_writing_transaction_commits(
    django_capture_on_commit_callbacks,
):
    before = bank_version()
    with django_capture_on_commit_callbacks(execute=True):
        bank_changed()
        during = bank_version()

    # Another process may have cached old rows under `during` before the commit: it must not be reused.
    assert len({before, during, bank_version()}) == 3


def test_the_same_filters_in_another_order_share_one_cached_count(candidate_api, taxonomy):
    questions_bulk_create(3, prefix="tagged", companies=("google", "meta"), levels=("senior",))
    assert listed(candidate_api, company="google,meta", level="senior")["count"] == 3

    with CaptureQueriesContext(connection) as again:
        response = candidate_api.get("/api/v1/questions/?level=senior&company=meta,+google")

    assert response.json()["count"] == 3
    assert not [query for query in again.captured_queries if "COUNT(" in query["sql"]]


def test_a_tag_newer_than_the_taxonomy_index_is_named_all_the_same(candidate_api, taxonomy):
    question = QuestionFactory(roles=["ml-engineer"])
    assert listed(candidate_api)["results"][0]["roles"] == ["ml-engineer"]
    # Written the way a concurrent request's write looks before its version change lands: no signal.
    (role,) = Role.objects.bulk_create([Role(slug="ml-researcher", name="ML Researcher")])
    Question.roles.through.objects.bulk_create([Question.roles.through(question=question, role=role)])

    assert listed(candidate_api)["results"][0]["roles"] == ["ml-engineer", "ml-researcher"]


@pytest.mark.parametrize("ids_max", [10_000, 3], ids=["ranked-once", "broader-than-the-id-cache"])
def test_every_page_of_a_search_follows_the_ranking(candidate_api, taxonomy, monkeypatch, ids_max):
    monkeypatch.setattr(selectors, "SEARCH_IDS_MAX", ids_max)
    for n in range(7):
        QuestionFactory(
            slug=f"zebra-{n}",
            title=f"Zebra question {n}" if n % 2 else f"Question {n}",
            prompt="zebra " * (n % 3 + 1) + "crossing",
        )
    QuestionFactory(slug="no-match", title="Horses", prompt="Only horses here.")
    ranked = question_search(Question.objects.filter(status=Question.Status.PUBLISHED), "zebra")
    expected = list(ranked.values_list("slug", flat=True))

    for _ in range(2):  # the first time from the database, then from the cache
        pages = [listed(candidate_api, q="zebra", page_size=3, page=n) for n in (1, 2, 3)]
        assert [page["count"] for page in pages] == [7, 7, 7]
        assert [row["slug"] for page in pages for row in page["results"]] == expected
    past_the_end = candidate_api.get("/api/v1/questions/", {"q": "zebra", "page_size": 3, "page": 4})
    assert past_the_end.status_code == 404


def test_while_redis_is_unreachable_the_bank_is_listed_and_written_all_the_same(
    candidate_client, candidate_api, taxonomy, curator, settings, caplog
):
    questions_bulk_create(3, prefix="listed")
    draft = QuestionFactory(slug="draft", title="Published during the outage", status=Question.Status.DRAFT)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    question_transition(question=draft, to_status=Question.Status.IN_REVIEW, user=curator)
    question_transition(question=draft, to_status=Question.Status.PUBLISHED, user=curator)
    page = candidate_client.get("/questions/", {"q": "outage"})
    everything = candidate_client.get("/questions/", {"role": "ml-engineer"})

    api = candidate_api.get("/api/v1/questions/", {"q": "outage"})

    assert page.status_code == 200 and "Published during the outage" in page.content.decode()
    assert everything.status_code == 200 and "4 questions" in everything.content.decode()
    assert api.status_code == 200 and api.json()["results"][0]["slug"] == "draft"
    assert "requests are not rate-limited" in caplog.text  # the API's limiter lets it through
    assert "the bank's cached lists were not forgotten" in caplog.text
    assert "the bank's lists are read without it" in caplog.text


def test_the_taxonomy_index_is_read_again_after_its_time_even_without_a_new_version(
    candidate_api, taxonomy, settings
):
    settings.QUESTION_LIST_CACHE_SECONDS = 1
    QuestionFactory(roles=["ml-engineer"])
    assert listed(candidate_api)["results"][0]["roles"] == ["ml-engineer"]
    # A rename whose version change never landed (the cache was unreachable when it was written).
    Role.objects.filter(slug="ml-engineer").update(slug="ml-eng")
    assert listed(candidate_api)["results"][0]["roles"] == ["ml-engineer"]  # within its time, as cached

    time.sleep(1.1)

    assert listed(candidate_api)["results"][0]["roles"] == ["ml-eng"]
