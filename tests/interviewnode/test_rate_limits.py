"""The API's rate limits: enforced through Redis, and open (logged) while Redis cannot be reached."""

from __future__ import annotations

import pytest

from interviewnode.throttling import UserRateThrottle

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@pytest.fixture
def two_a_minute(monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "2/min", raising=False)


def test_a_user_over_the_rate_gets_429_throttled(two_a_minute, candidate_api):
    statuses = [candidate_api.get("/api/v1/sessions/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert candidate_api.get("/api/v1/sessions/").json()["code"] == "throttled"


def test_while_redis_is_unreachable_requests_go_through_unlimited(
    two_a_minute, candidate_api, settings, caplog
):
    settings.CACHES = DEAD_REDIS

    statuses = [candidate_api.get("/api/v1/sessions/").status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert "requests are not rate-limited" in caplog.text
