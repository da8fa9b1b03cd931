from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:session_id>/", views.review, name="review"),
    path("<int:session_id>/claim/", views.claim, name="claim"),
    path("<int:session_id>/release/", views.release, name="release"),
    path("<int:session_id>/self-assessment/<int:position>/", views.self_assessment, name="self-assessment"),
]
