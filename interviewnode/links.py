"""Absolute links to the site's pages, for what is read away from it: e-mails and their headers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """The page's full address on SITE_URL: ``reverse(viewname, args=args, kwargs=kwargs)`` made absolute."""
    return settings.SITE_URL + reverse(viewname, args=args or None, kwargs=kwargs or None)
