"""Who the client is when requests may come through reverse proxies.

One answer for everything that keys on the client's address: the API's rate limits, django-axes'
login lockout and allauth's per-IP limits. ``X-Forwarded-For`` is only believed as far as
``TRUSTED_PROXY_COUNT`` says: anything a client writes into it itself is ignored, so rotating the
header neither escapes a limit nor gets someone else locked out.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest


def trusted_proxy_count() -> int:
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXY_COUNT must be a whole number of proxies, 0 or more; got {count!r}."
        )
    return count


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or with N trusted proxies the N-th ``X-Forwarded-For``
    entry from the right.

    Each trusted proxy appends the address it received the request from, so the N right-most entries
    are written by our own proxies and the N-th of them is the client; what lies to its left came from
    the client and is ignored. When the header has fewer than N entries (the request passed fewer
    proxies, say a health check from inside), every entry in it was still written by one of ours, and
    the left-most one is the farthest hop seen: it is used rather than ``REMOTE_ADDR``, which would put
    everyone behind the proxy on one address. No header, or an entry that is not an address, falls back
    to ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxy_count()
    if count == 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if not entries:
        return remote
    chosen = entries[-count] if len(entries) >= count else entries[0]
    return _address(chosen) or remote


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address, without the port some proxies add; None if it is none."""
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:443
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
