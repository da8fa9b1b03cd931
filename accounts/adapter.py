from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from .models import Role
from .services import user_setup


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_setup(user=user, role=Role.CANDIDATE)
        return user
