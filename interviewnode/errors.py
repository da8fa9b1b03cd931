"""The one application error that services raise; the API and the pages turn it into a response."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal a user should see: ``code`` is stable for clients, ``detail`` is for people."""

    status_code = 400

    def __init__(self, detail: str, *, code: str = "invalid", status_code: int | None = None, extra=None):
        super().__init__(detail)
        self.detail = detail
        self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}


def invalid_field(detail: str, *, field: str) -> ApplicationError:
    """A 400 ``invalid`` about one input field: ``detail`` is also listed under ``errors[field]``, the
    shape the API gives its own validation errors."""
    return ApplicationError(detail, code="invalid", extra={"errors": {field: [detail]}})
