from __future__ import annotations

from datetime import datetime

from rest_framework.authtoken.models import Token

from .models import User


def api_token_created(*, user: User) -> datetime | None:
    """When ``user``'s API token was issued, or None when they have none. Never the key itself."""
    return Token.objects.filter(user=user).values_list("created", flat=True).first()
