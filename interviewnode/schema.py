"""The OpenAPI schema's shared parts: the error shape, and the errors every operation can answer.

drf-spectacular documents what a view declares. The refusals that come from the framework rather
than the view (401 without a token, 404 for an unknown id or page, 400 for a malformed body or query,
429 when throttled) are added here to every operation they apply to, all with the one error shape.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import permissions, serializers


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "string"}},
        ]
    }
)
class _ErrorsField(serializers.JSONField):
    """Per field (``{field: [message, …]}``, nested as the input is) for a serializer's or a query
    parameter's refusal; a list of messages for a question the bank refuses."""


class ErrorSerializer(serializers.Serializer):
    """Every API error: ``{code, detail}``; invalid input adds ``errors``."""

    code = serializers.CharField(help_text="Stable, for clients: invalid, not_found, forbidden, …")
    detail = serializers.CharField(help_text="For people")
    errors = _ErrorsField(
        required=False,
        help_text="Invalid input: the messages per field (`{field: [message]}`), or a list of them",
    )

    class Meta:
        ref_name = "Error"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        implied = {}
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            implied["400"] = "Invalid input: `{code: invalid, detail, errors}`"
        # A wrong token is refused even where no sign-in is needed.
        if self.view.get_authenticators() or not any(
            isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()
        ):
            implied["401"] = "No valid token (or session): `{code: not_authenticated}`"
        if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
            implied["404"] = "No such object (or not yours), or no such page: `{code: not_found}`"
        if self.view.get_throttles():
            implied["429"] = "Too many requests: `{code: throttled}`"
        responses = operation["responses"]
        for code, description in implied.items():
            responses.setdefault(code, {"description": description})
        for code, response in responses.items():
            # An error declared with a description only still has the error shape.
            if code >= "400" and "content" not in response:
                responses[code] = self._get_response_for_code(_error(response["description"]), code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation
