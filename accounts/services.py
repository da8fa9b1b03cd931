from __future__ import annotations

from django.db import transaction

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
