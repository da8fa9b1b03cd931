"""The API's rate limits (DRF's, on the cache), open while the cache cannot be reached.

Its own module: rest_framework.views reads DEFAULT_THROTTLE_CLASSES when it is imported, so these
classes must not live in a module that imports the views.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rest_framework import throttling

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


class AnonRateThrottle(_OpenWhenTheCacheIsDown, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_OpenWhenTheCacheIsDown, throttling.UserRateThrottle):
    pass
