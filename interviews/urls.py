from django.urls import path

from . import views

app_name = "interviews"
urlpatterns = [
    path("", views.session_mine, name="mine"),
    path("new/", views.session_new, name="new"),
    path("new/<slug:slug>/", views.session_from_template, name="from-template"),
    path("practice/<int:question_id>/", views.session_practice, name="practice"),
    path("<int:session_id>/", views.session_take, name="take"),
    path("<int:session_id>/results/", views.session_results, name="results"),
]
