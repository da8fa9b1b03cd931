"""Roles as Django groups: the groups and their permissions are kept in step with this table."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .models import Role, User

# Model permissions per role, as "app_label.codename". Admins get every permission.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CANDIDATE: [],
    Role.COACH: [],
    Role.CURATOR: [
        *(
            f"questions.{action}_{model}"
            for model in ("question", "choice", "level", "category", "role", "company", "topic")
            for action in ("add", "change", "view")
        ),
        "questions.view_questionrevision",
        "questions.view_statuschange",
        *(f"interviews.{action}_interviewtemplate" for action in ("add", "change", "view")),
    ],
}
STAFF_ROLES = {Role.CURATOR, Role.ADMIN}


def sync_role_groups(**_kwargs) -> None:
    """Create the role groups and set their permissions; safe to run any number of times."""
    # post_migrate reaches accounts before the apps listed after it (questions, …) have their
    # permissions; make them now, or a fresh database leaves the curator group without any.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:
            permissions = Permission.objects.all()
        else:
            wanted = ROLE_PERMISSIONS[role]
            permissions = [
                p
                for p in Permission.objects.select_related("content_type")
                if f"{p.content_type.app_label}.{p.codename}" in wanted
            ]
        group.permissions.set(permissions)


def sync_staff_flag(user: User) -> None:
    """Curators and admins work in the Django admin, which needs is_staff; others lose it."""
    names = set(user.groups.values_list("name", flat=True))
    is_staff = user.is_superuser or bool(names & {r.value for r in STAFF_ROLES})
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


def role_grant(*, user: User, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("role_names", None)
    sync_staff_flag(user)
