"""Reading numbers and slugs that users type into query strings and forms.

``str.isdigit()`` is no check before ``int()``: it accepts "²" and other Unicode digits that ``int()``
refuses or reads as some other number. These helpers accept plain ASCII digits within bounds and slugs,
and refuse anything else with a 400 ``invalid_parameter`` that the API shows as ``{code, detail,
errors}`` and pages show as a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from interviewnode.errors import ApplicationError

MAX_PK = 2**63 - 1  # the largest bigint primary key
_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits always fit a bigint
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")
# What query_slug accepts, for the OpenAPI schema (an empty value is the same as none).
SLUG_QUERY_PATTERN = r"^[-a-zA-Z0-9_]{0,100}$"


def parse_int(value: object, *, min_value: int, max_value: int) -> int | None:
    """``value`` as an int from ``min_value`` to ``max_value``, or None for anything else."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if min_value <= number <= max_value else None


def invalid_parameter(name: str, detail: str) -> ApplicationError:
    detail = f"{name}: {detail}"
    return ApplicationError(detail, code="invalid_parameter", extra={"errors": {name: [detail]}})


def query_int(
    params: Mapping[str, str], name: str, *, min_value: int, max_value: int, default: int | None = None
) -> int | None:
    """The whole number ``params[name]``, or ``default`` when it is absent or empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    number = parse_int(raw, min_value=min_value, max_value=max_value)
    if number is None:
        raise invalid_parameter(name, f"a whole number from {min_value} to {max_value}, please.")
    return number


def query_slug(params: Mapping[str, str], name: str, *, default: str = "") -> str:
    """The slug ``params[name]`` (letters, digits, hyphens, underscores), or ``default`` when empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not _SLUG.fullmatch(raw):
        raise invalid_parameter(name, "letters, digits, hyphens and underscores only, please.")
    return raw
