from __future__ import annotations

from .selectors import bank_version_pinned


class BankVersionMiddleware:
    """One read of the bank's version per request, however many cached lists and lookups use it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with bank_version_pinned():
            return self.get_response(request)
