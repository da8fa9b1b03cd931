from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounts.api import TokenCreateApi
from interviews.api import (
    AnswerSaveApi,
    MarkdownPreviewApi,
    SessionDetailApi,
    SessionsApi,
    SessionSubmitApi,
    TemplateListApi,
)
from questions.api import BenchBaselineApi, QuestionViewSet, TaxonomyApi

from . import views

router = SimpleRouter()
router.register("questions", QuestionViewSet, basename="question")

api_v1 = [
    path("auth/token/", TokenCreateApi.as_view(), name="token"),
    path("taxonomy/", TaxonomyApi.as_view(), name="taxonomy"),
    *router.urls,
    path("sessions/", SessionsApi.as_view(), name="sessions"),
    path("sessions/<int:session_id>/", SessionDetailApi.as_view(), name="session-detail"),
    path(
        "sessions/<int:session_id>/items/<int:position>/answer/",
        AnswerSaveApi.as_view(),
        name="session-answer",
    ),
    path("sessions/<int:session_id>/submit/", SessionSubmitApi.as_view(), name="session-submit"),
    path("templates/", TemplateListApi.as_view(), name="templates"),
    path("markdown/preview/", MarkdownPreviewApi.as_view(), name="markdown-preview"),
]
if settings.BENCHMARK_ENDPOINTS:
    api_v1.append(path("bench/baseline/<int:pk>/", BenchBaselineApi.as_view(), name="bench-baseline"))

urlpatterns = [
    path("", views.home, name="home"),
    path("questions/", include("questions.urls")),
    path("interviews/", include("interviews.urls")),
    path("profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
