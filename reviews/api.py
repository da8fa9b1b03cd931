"""Review API: thin views over reviews.services and reviews.selectors."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from interviewnode.api import Pagination
from interviewnode.params import SLUG_QUERY_PATTERN
from interviews.selectors import session_for_user

from . import services
from .selectors import MAX_QUEUE_AGE_HOURS, QUEUE_SLUG_FILTERS, queue_filters, review_queue
from .serializers import (
    QueueEntrySerializer,
    ReviewSaveSerializer,
    ReviewSerializer,
    SelfAssessmentInputSerializer,
    SelfAssessmentSerializer,
)

_ERRORS = {
    400: OpenApiResponse(description="Invalid input: `{code, detail, errors}`"),
    403: OpenApiResponse(description="Not a coach: `{code: forbidden}`"),
    404: OpenApiResponse(description="No such session, or not one you may see: `{code: not_found}`"),
}


class IsCoach(IsAuthenticated):
    """Who may use the queue, claim and review: coaches. The one place the API checks the role; the
    services trust their callers for it (the review pages have their own 404 for everyone else)."""

    message = "Only coaches review sessions."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.has_role(Role.COACH)


class ReviewQueueApi(APIView):
    """Sessions waiting for a coach, oldest first, and your own open claims (``claimed_by_me``)."""

    permission_classes = [IsCoach]
    pagination_class = Pagination

    @extend_schema(
        parameters=[
            *(
                OpenApiParameter(name, str, pattern=SLUG_QUERY_PATTERN, description="slug")
                for name in QUEUE_SLUG_FILTERS
            ),
            OpenApiParameter(
                "age",
                {"type": "integer", "minimum": 0, "maximum": MAX_QUEUE_AGE_HOURS},
                description="At least this many hours since submission",
            ),
        ],
        responses={200: QueueEntrySerializer(many=True), 403: _ERRORS[403]},
    )
    def get(self, request):
        filters = queue_filters(request.query_params)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            review_queue(coach=request.user, filters=filters), request, view=self
        )
        data = QueueEntrySerializer(page, many=True, context={"coach": request.user}).data
        return paginator.get_paginated_response(data)


class SessionClaimApi(APIView):
    """Claim a session for review: 200 with the (draft) review, or 409 ``claimed``."""

    permission_classes = [IsCoach]
    @extend_schema(
        request=None,
        responses={200: ReviewSerializer, **_ERRORS, 409: OpenApiResponse(description="`claimed`")},
    )
    def post(self, request, session_id: int):
        review = services.review_claim(coach=request.user, session_id=session_id)
        return Response(ReviewSerializer(review).data)


class SessionReleaseApi(APIView):
    """Give your claim back to the queue (admins: any claim)."""

    @extend_schema(
        request=None,
        responses={200: ReviewSerializer, **_ERRORS, 409: OpenApiResponse(description="`not_claimed`")},
    )
    def post(self, request, session_id: int):
        session = session_for_user(user=request.user, session_id=session_id, with_items=False)
        if session.candidate_id == request.user.pk and not request.user.has_role(Role.ADMIN):
            raise Http404("No such session.")
        review = services.review_release(user=request.user, session_id=session.pk)
        return Response(ReviewSerializer(review).data)


class SessionReviewApi(APIView):
    """Save the claiming coach's draft; with ``publish: true`` publish it (all or nothing)."""

    permission_classes = [IsCoach]
    @extend_schema(
        request=ReviewSaveSerializer,
        responses={
            200: ReviewSerializer,
            **_ERRORS,
            409: OpenApiResponse(description="`not_claimed` or `already_published`"),
        },
    )
    def put(self, request, session_id: int):
        session = session_for_user(user=request.user, session_id=session_id, with_items=False)
        serializer = ReviewSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = services.review_save(
            coach=request.user,
            session_id=session.pk,
            items=data.get("items", []),
            summary=data.get("summary"),
            recommendation=data.get("recommendation"),
            publish=data["publish"],
        )
        return Response(ReviewSerializer(review).data)


class SelfAssessmentApi(APIView):
    """The candidate's own scores of one answer on its rubric."""

    @extend_schema(
        request=SelfAssessmentInputSerializer,
        responses={200: SelfAssessmentSerializer, 400: _ERRORS[400], 404: _ERRORS[404]},
    )
    def put(self, request, session_id: int, position: int):
        session = session_for_user(
            user=request.user, session_id=session_id, owner_only=True, with_items=False
        )
        serializer = SelfAssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment = services.self_assess(
            session=session, position=position, scores=serializer.validated_data["scores"]
        )
        return Response(SelfAssessmentSerializer(assessment).data)
