from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from .models import Profile, Role, User
from .roles import role_grant


@transaction.atomic
def user_setup(*, user: User, role: Role) -> User:
    """Give a new user their role and an empty profile."""
    role_grant(user=user, role=role)
    Profile.objects.get_or_create(user=user)
    return user


@transaction.atomic
def profile_update(
    *, user: User, target_role, target_level, target_companies, interview_date, timezone: str
) -> Profile:
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    profile.target_role = target_role
    profile.target_level = target_level
    profile.interview_date = interview_date
    profile.save()
    profile.target_companies.set(target_companies)
    if user.timezone != timezone:
        user.timezone = timezone
        user.save(update_fields=["timezone"])
    return profile


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """A new API key for ``user``; the one they had before stops working.

    Each sign-in for a token rotates it, so a leaked key dies as soon as its owner asks for a new one.
    """
    # Two sign-ins at once would both delete and then race to create the user's single token.
    User.objects.select_for_update().filter(pk=user.pk).first()
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke_all(*, user: User) -> int:
    """Revoke every API key of ``user``; the number revoked."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """Give ``user`` a new password and revoke their API keys, which the old password obtained."""
    user.set_password(password)
    user.save()
    token_revoke_all(user=user)
