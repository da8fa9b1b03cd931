"""Sessions API: thin views over interviews.services and interviews.selectors."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from interviewnode.api import Pagination, StrictCharField
from interviewnode.markdown import render_user_markdown
from interviewnode.params import MAX_PK, parse_int
from questions.models import Question

from . import services
from .models import InterviewSession, InterviewTemplate
from .selectors import answers_withheld, session_for_user, session_list, template_list
from .serializers import (
    AnswerSaveSerializer,
    SavedAnswerSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    SessionSummarySerializer,
    TemplateSerializer,
)
from .services import MAX_ANSWER_BYTES

_ERRORS = {
    400: OpenApiResponse(description="Invalid input: `{code, detail, errors}`"),
    404: OpenApiResponse(description="No such session, or not yours: `{code: not_found}`"),
}


def _session_response(request, session_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    session = session_for_user(user=request.user, session_id=session_id)
    # An open session reveals nothing anyway: only a closed one asks what the reader may not see.
    closed = session.status != InterviewSession.Status.IN_PROGRESS
    withheld = answers_withheld(user=request.user) if closed else frozenset()
    context = {"server_time": timezone.now(), "withheld": withheld}
    data = SessionSerializer(session, context=context).data
    return Response(data, status=status_code)


def _template(value: str) -> InterviewTemplate:
    pk = parse_int(value, min_value=1, max_value=MAX_PK)
    lookup = {"pk": pk} if pk is not None else {"slug": value}
    template = template_list().filter(**lookup).first()
    if template is None:
        raise exceptions.ValidationError({"template": ["No such template."]})
    return template


class SessionsApi(APIView):
    """GET: your sessions, newest first. POST: start a session (candidates)."""

    pagination_class = Pagination

    @extend_schema(responses=SessionSummarySerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(session_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(SessionSummarySerializer(page, many=True).data)

    @extend_schema(
        request=SessionCreateSerializer,
        responses={
            201: SessionSerializer,
            **_ERRORS,
            403: OpenApiResponse(description="Only candidates take mock interviews: `{code: forbidden}`"),
        },
    )
    def post(self, request):
        if not request.user.has_role(Role.CANDIDATE):
            raise exceptions.PermissionDenied("Only candidates take mock interviews.")
        serializer = SessionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "template" in data:
            session = services.session_start_from_template(
                candidate=request.user,
                template=_template(data["template"]),
                mode=data.get("mode", InterviewSession.Mode.TIMED),
            )
        elif "question" in data:
            question = Question.objects.filter(pk=data["question"], status=Question.Status.PUBLISHED).first()
            if question is None:
                raise exceptions.ValidationError({"question": ["No such published question."]})
            session = services.session_start_with_questions(candidate=request.user, questions=[question])
        else:
            session = services.session_start(
                candidate=request.user,
                mode=data["mode"],
                role=data["role"],
                level=data["level"],
                company=data.get("company"),
                categories=data.get("categories", []),
                question_count=data["question_count"],
                duration_minutes=data.get("duration_minutes"),
            )
        return _session_response(request, session.pk, status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    @extend_schema(responses={200: SessionSerializer, 404: _ERRORS[404]})
    def get(self, request, session_id: int):
        return _session_response(request, session_id)


class AnswerSaveApi(APIView):
    """Autosave one answer with the version it was based on."""

    @extend_schema(
        request=AnswerSaveSerializer,
        responses={
            200: SavedAnswerSerializer,
            **_ERRORS,
            409: OpenApiResponse(
                description="`stale_version` (with the stored `answer`) or `session_closed`"
            ),
        },
    )
    def put(self, request, session_id: int, position: int):
        session = session_for_user(
            user=request.user, session_id=session_id, owner_only=True, with_items=False
        )
        serializer = AnswerSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.answer_save(session=session, position=position, **serializer.validated_data)
        return Response(SavedAnswerSerializer(saved).data)


class SessionSubmitApi(APIView):
    """Submit (idempotent): the session, closed, with auto-graded results."""

    @extend_schema(request=None, responses={200: SessionSerializer, 404: _ERRORS[404]})
    def post(self, request, session_id: int):
        session = session_for_user(
            user=request.user, session_id=session_id, owner_only=True, with_items=False
        )
        services.session_submit(
            session_id=session.pk, user=request.user, closed_by=InterviewSession.ClosedBy.CANDIDATE
        )
        return _session_response(request, session.pk)


class TemplateListApi(APIView):
    """The interview templates on offer."""

    @extend_schema(responses=TemplateSerializer(many=True))
    def get(self, request):
        return Response(TemplateSerializer(template_list(), many=True).data)


class MarkdownPreviewApi(APIView):
    """Render an answer's Markdown exactly as coaches will see it (sanitised)."""

    class InputSerializer(serializers.Serializer):
        text = StrictCharField(allow_blank=True, trim_whitespace=False, max_length=MAX_ANSWER_BYTES)

        class Meta:
            ref_name = "MarkdownPreviewInput"

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("MarkdownPreview", {"html": serializers.CharField()})},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"html": str(render_user_markdown(data.validated_data["text"]))})
