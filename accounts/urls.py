from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("api-token/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
