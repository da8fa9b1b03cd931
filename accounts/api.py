from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from interviewnode.api import StrictCharField

from .services import token_issue, token_revoke_all


class TokenApi(APIView):
    """POST: exchange an e-mail and password for a new API token. DELETE: revoke the caller's token.

    A user has one token. Each POST replaces it, so the key handed out before stops working; changing
    or resetting the password revokes it too.
    """

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = StrictCharField(trim_whitespace=False, max_length=200)

    def _revoking(self) -> bool:
        # getattr: the schema generator asks before it has given the view a request.
        return getattr(self.request, "method", None) == "DELETE"

    def get_authenticators(self):
        # Getting a token takes a password, not a credential (a stale or wrong Authorization header
        # must not stand in the way); revoking one takes the credential.
        return super().get_authenticators() if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("TokenOutput", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Invalid input: `{code, detail, errors}`"),
            401: OpenApiResponse(description="E-mail or password is wrong: `{code: not_authenticated}`"),
            429: OpenApiResponse(description="Too many failed sign-ins: `{code: throttled}`"),
        },
        description="A new token for an e-mail and password. The token issued before stops working.",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain Django request: django-axes marks it when the (account, IP) pair is locked.
        user = authenticate(
            request._request,
            email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("E-mail or password is wrong.")
        token = token_issue(user=user)
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The caller's token is revoked."),
            401: OpenApiResponse(
                description="Not signed in, or the token is not valid: `{code: not_authenticated}`"
            ),
        },
        description="Revoke the caller's API token (a user has at most one). Idempotent.",
    )
    def delete(self, request):
        token_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticate_header(self, request):
        # Without authentication classes DRF would turn a wrong password into a 403; it is a 401.
        return "Token"
