from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import TokenApi
from interviews.api import (
    AnswerSaveApi,
    MarkdownPreviewApi,
    SessionDetailApi,
    SessionsApi,
    SessionSubmitApi,
    TemplateListApi,
)
from questions.api import BenchBaselineApi, QuestionViewSet, TaxonomyApi
from reviews.api import (
    ReviewQueueApi,
    SelfAssessmentApi,
    SessionClaimApi,
    SessionReleaseApi,
    SessionReviewApi,
)
from scheduling.api import (
    BookingCancelApi,
    BookingCreateApi,
    CoachListApi,
    CoachSlotsApi,
    SlotCreateApi,
    SlotDetailApi,
)

from . import views

router = SimpleRouter()
router.register("questions", QuestionViewSet, basename="question")

api_v1 = [
    path("auth/token/", TokenApi.as_view(), name="token"),
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
    path("sessions/<int:session_id>/claim/", SessionClaimApi.as_view(), name="session-claim"),
    path("sessions/<int:session_id>/release/", SessionReleaseApi.as_view(), name="session-release"),
    path("sessions/<int:session_id>/review/", SessionReviewApi.as_view(), name="session-review"),
    path(
        "sessions/<int:session_id>/items/<int:position>/self-assessment/",
        SelfAssessmentApi.as_view(),
        name="session-self-assessment",
    ),
    path("reviews/queue/", ReviewQueueApi.as_view(), name="review-queue"),
    path("templates/", TemplateListApi.as_view(), name="templates"),
    path("markdown/preview/", MarkdownPreviewApi.as_view(), name="markdown-preview"),
    path("coaches/", CoachListApi.as_view(), name="coaches"),
    path("coaches/<int:coach_id>/slots/", CoachSlotsApi.as_view(), name="coach-slots"),
    path("slots/", SlotCreateApi.as_view(), name="slots"),
    path("slots/<int:slot_id>/", SlotDetailApi.as_view(), name="slot-detail"),
    path("bookings/", BookingCreateApi.as_view(), name="bookings"),
    path("bookings/<int:booking_id>/cancel/", BookingCancelApi.as_view(), name="booking-cancel"),
]
if settings.BENCHMARK_ENDPOINTS:
    api_v1.append(path("bench/baseline/<int:pk>/", BenchBaselineApi.as_view(), name="bench-baseline"))

urlpatterns = [
    path("", views.home, name="home"),
    path("questions/", include("questions.urls")),
    path("interviews/", include("interviews.urls")),
    path("reviews/", include("reviews.urls")),
    path("profile/", include("accounts.urls")),
    path("", include("scheduling.urls")),
    path("", include("notifications.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler404 = "interviewnode.views.page_not_found"
