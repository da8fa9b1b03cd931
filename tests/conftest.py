from __future__ import annotations

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Role
from questions.bank import DATA_DIR, taxonomy_load

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit and lockout counters live in the cache (Redis in CI): no test sees another's.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def taxonomy(db):
    """The shipped taxonomy (levels, categories with rubrics, roles, companies)."""
    taxonomy_load(
        yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text()),
        yaml.safe_load((DATA_DIR / "companies.yaml").read_text())["companies"],
    )


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def candidate(db):
    return UserFactory(role=Role.CANDIDATE)


@pytest.fixture
def coach(db):
    return UserFactory(role=Role.COACH)


@pytest.fixture
def curator(db):
    return UserFactory(role=Role.CURATOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def candidate_api(candidate):
    client = APIClient()
    client.force_authenticate(candidate)
    return client


@pytest.fixture
def curator_api(curator):
    client = APIClient()
    client.force_authenticate(curator)
    return client


@pytest.fixture
def candidate_client(client, candidate):
    """The Django test client signed in as a candidate, for the server-rendered pages."""
    client.force_login(candidate)
    return client


@pytest.fixture
def fast_password_hasher(settings):
    """A cheap hasher for tests that log in many times; PBKDF2 stays to check older hashes."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def other_candidate(db):
    return UserFactory(role=Role.CANDIDATE)
