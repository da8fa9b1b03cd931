"""The client's address behind 0 or more trusted proxies, and the API's rate limit keyed on it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from rest_framework.test import APIClient

from interviewnode.proxies import client_ip
from interviewnode.throttling import AnonRateThrottle

PROXY = "10.0.0.2"
CLIENT = "203.0.113.5"
OTHER_CLIENT = "198.51.100.9"


def _request(remote: str = PROXY, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# --- client_ip ----------------------------------------------------------------------------------------


def test_with_no_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request(remote=CLIENT, forwarded="192.0.2.1")) == CLIENT


def test_with_one_proxy_the_right_most_entry_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=f"192.0.2.1, 192.0.2.2,{CLIENT}")) == CLIENT


def test_with_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded=f"192.0.2.1, {CLIENT}, 10.0.0.1")) == CLIENT


def test_fewer_entries_than_proxies_take_the_left_most_which_a_proxy_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 3

    assert client_ip(_request(forwarded=f"{CLIENT}, 10.0.0.1")) == CLIENT


def test_a_request_without_the_header_behind_proxies_is_its_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(remote=PROXY)) == PROXY
    assert client_ip(_request(remote=PROXY, forwarded=" , ")) == PROXY


def test_an_entry_that_is_not_an_address_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded="192.0.2.1, not-an-address")) == PROXY


@pytest.mark.parametrize(
    ("entry", "address"),
    [
        ("203.0.113.5:4711", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
    ],
)
def test_ports_are_dropped_and_addresses_normalised(settings, entry, address):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded=entry)) == address


@pytest.mark.parametrize("value", ["1", -1, 1.0, True, None])
def test_a_malformed_setting_is_improperly_configured(settings, value):
    settings.TRUSTED_PROXY_COUNT = value

    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        client_ip(_request())


def _settings_with(value: str | None) -> subprocess.CompletedProcess:
    env = {name: text for name, text in os.environ.items() if name != "TRUSTED_PROXY_COUNT"}
    env["DJANGO_SETTINGS_MODULE"] = "interviewnode.settings"
    if value is not None:
        env["TRUSTED_PROXY_COUNT"] = value
    return subprocess.run(  # noqa: S603 - the running interpreter on our own settings
        [sys.executable, "-c", "from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "one", "1e3"])
def test_a_malformed_environment_variable_stops_the_settings_with_improperly_configured(value):
    result = _settings_with(value)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_by_default_no_proxy_is_trusted():
    result = _settings_with(None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_the_environment_variable_sets_the_count():
    result = _settings_with(" 2 ")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_allauth_sees_the_same_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(forwarded=f"192.0.2.1, {CLIENT}")

    assert get_adapter(request).get_client_ip(request) == CLIENT


# --- the API's rate limit for anonymous requests --------------------------------------------------


@pytest.fixture
def five_a_minute(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "5/min", raising=False)


def _taxonomy(remote: str, forwarded: str | None = None) -> int:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().get("/api/v1/taxonomy/", **extra).status_code


@pytest.mark.django_db
def test_rotating_the_forwarded_header_without_proxies_is_still_throttled(five_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    statuses = [_taxonomy(CLIENT, forwarded=f"192.0.2.{n}") for n in range(20)]

    assert statuses.count(200) == 5
    assert statuses.count(429) == 15


@pytest.mark.django_db
def test_behind_one_proxy_rotating_the_clients_own_entries_is_still_throttled(five_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    statuses = [_taxonomy(PROXY, forwarded=f"192.0.2.{n}, {CLIENT}") for n in range(20)]

    assert statuses.count(200) == 5
    assert statuses.count(429) == 15


@pytest.mark.django_db
def test_behind_one_proxy_each_client_has_its_own_limit(five_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _taxonomy(PROXY, forwarded=CLIENT)

    assert _taxonomy(PROXY, forwarded=CLIENT) == 429
    assert _taxonomy(PROXY, forwarded=OTHER_CLIENT) == 200
