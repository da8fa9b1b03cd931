from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    # Tokens are URL-safe base64 (a slug's alphabet): anything else is no link of ours.
    path("email/unsubscribe/<slug:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "email/unsubscribe/<slug:token>/<slug:kind>/one-click/",
        views.unsubscribe_one_click,
        name="unsubscribe-one-click",
    ),
]
