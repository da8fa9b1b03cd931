"""The API's JSON parser: DRF's, refusing bodies that are nested too deep or carry NUL characters.

Python's ``json`` parses nesting by recursion, so a body of 50,000 ``[`` raises RecursionError (a 500),
and anything that walks a deep value afterwards risks the same. PostgreSQL stores no NUL character in
text or jsonb, so a ``\\u0000`` would fail at the database instead of as a 400.
"""

from __future__ import annotations

import re
from itertools import accumulate

from rest_framework import exceptions, parsers
from rest_framework.utils import json

MAX_JSON_DEPTH = 64

# A JSON string literal (quotes and escapes included), matched without backtracking.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# An escape of NUL that is not itself an escaped backslash followed by "u0000".
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text``, counted without recursion (and without parsing:
    malformed text gives some number, and json.loads then reports the error)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    """``application/json`` bodies at most MAX_JSON_DEPTH deep and without NUL characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode(parsers.get_encoding(parser_context or {}))
        except (UnicodeDecodeError, LookupError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")
        if _NUL_ESCAPE.search(text):
            raise exceptions.ParseError("JSON parse error - text may not contain NUL characters (\\u0000).")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
