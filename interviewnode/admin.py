from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write (sessions, the outbox): the admin shows them, never edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
