from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm

from .models import Profile, User
from .roles import sync_staff_flag
from .services import token_revoke_all


class PasswordChangeForm(AdminPasswordChangeForm):
    """An admin setting someone's password revokes their API token, as the user changing it would."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            token_revoke_all(user=user)
        return user


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["target_companies"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Grant a role by adding the user to its group; curators and admins get admin access with it."""

    ordering = ["email"]
    change_password_form = PasswordChangeForm
    list_display = ["email", "first_name", "last_name", "roles", "is_active", "date_joined"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["first_name", "last_name", "timezone"]}),
        ("Roles and access", {"fields": ["is_active", "groups", "is_superuser", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2", "groups"]})]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(sorted(g.name for g in user.groups.all())) or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_staff_flag(form.instance)
