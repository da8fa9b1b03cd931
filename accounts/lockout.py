"""How django-axes names an attempt and answers a locked (account, IP) pair."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render


def attempted_email(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail a login attempt was for, normalised so that case tricks count as one account."""
    source = credentials or getattr(request, "data", None) or request.POST
    value = source.get("email") or source.get("login") or source.get("username") or ""
    return str(value).strip().lower()


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = (
        f"Too many failed sign-in attempts for this account from your network. "
        f"Try again in {minutes} minutes, or reset your password."
    )
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "throttled", "detail": detail}, status=429)
    return render(request, "account/lockout.html", {"detail": detail}, status=429)
