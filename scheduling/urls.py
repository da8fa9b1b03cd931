from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("coaches/", views.coach_directory, name="coaches"),
    path("bookings/", views.booking_mine, name="bookings"),
    path("bookings/book/<int:slot_id>/", views.booking_book, name="book"),
    path("bookings/<int:booking_id>/cancel/", views.booking_cancel, name="cancel"),
    path("bookings/<int:booking_id>/reschedule/", views.booking_reschedule, name="reschedule"),
    path("coach/profile/", views.coach_profile, name="coach-profile"),
    path("coach/slots/", views.coach_slots, name="coach-slots"),
    path("coach/slots/weekly/", views.coach_slots_weekly, name="coach-slots-weekly"),
    path("coach/slots/<int:slot_id>/withdraw/", views.coach_slot_withdraw, name="coach-slot-withdraw"),
]
