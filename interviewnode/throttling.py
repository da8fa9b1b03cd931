"""The API's rate limits (DRF's, on the cache), open while the cache cannot be reached, keyed on
the client address that ``interviewnode.proxies.client_ip`` finds.

Its own module: rest_framework.views reads DEFAULT_THROTTLE_CLASSES when it is imported, so these
classes must not live in a module that imports the views.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

from interviewnode.proxies import client_ip

logger = logging.getLogger(__name__)


class _OpenWhenTheCacheIsDown:
    """A rate limit that lets requests through while its cache (Redis) cannot be reached.

    An outage of the limiter must not become an outage of the API; it is logged, so it is seen.
    """

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("The cache is unreachable: requests are not rate-limited.", exc_info=True)
            return True


class _KeyedOnTheClient:
    """Anonymous requests are counted per client address as ``client_ip`` finds it, the same address
    the login lockout uses, never per an X-Forwarded-For entry the client chose itself."""

    def get_ident(self, request) -> str:
        return client_ip(request)


class AnonRateThrottle(_KeyedOnTheClient, _OpenWhenTheCacheIsDown, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_KeyedOnTheClient, _OpenWhenTheCacheIsDown, throttling.UserRateThrottle):
    pass
