from __future__ import annotations

from django.contrib import admin

from .models import Booking, CoachProfile, Reminder, Slot


@admin.register(CoachProfile)
class CoachProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "is_active"]
    list_filter = ["is_active", "roles", "companies"]
    list_editable = ["is_active"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "bio"]
    raw_id_fields = ["user"]
    filter_horizontal = ["roles", "companies"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["coach", "start", "end", "status"]
    list_filter = ["status"]
    list_select_related = ["coach"]
    search_fields = ["coach__email"]
    raw_id_fields = ["coach"]
    date_hierarchy = "start"


class ReminderInline(admin.TabularInline):
    model = Reminder
    extra = 0
    fields = ["kind", "due_at", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    """Read only: bookings change through the services, which send the calendar updates."""

    list_display = ["candidate", "slot", "status", "sequence", "created_at", "cancelled_at"]
    list_filter = ["status"]
    list_select_related = ["candidate", "slot__coach"]
    search_fields = ["candidate__email", "slot__coach__email", "uid"]
    fields = [
        "slot", "candidate", "status", "sequence", "uid", "created_at", "cancelled_at", "cancelled_by",
        "cancel_reason",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [ReminderInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["booking", "kind", "due_at", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["booking"]
    readonly_fields = ["booking", "kind", "due_at", "sent_at"]

    def has_add_permission(self, request):
        return False
