from __future__ import annotations

from django.db import DatabaseError, transaction
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from interviewnode.api import Pagination
from interviewnode.errors import ApplicationError
from interviewnode.schema import AutoSchema

from . import bank
from .filters import QuestionFilter
from .models import Question
from .selectors import (
    QuestionPaginator,
    published_question_rows,
    published_questions,
    question_list_rows,
    taxonomy,
    taxonomy_index,
)
from .serializers import (
    QuestionDetailSerializer,
    QuestionListSerializer,
    QuestionSavedSerializer,
    QuestionWriteSerializer,
    TaxonomySerializer,
)
from .services import question_transition


class TaxonomyApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=TaxonomySerializer)
    def get(self, request):
        return Response(TaxonomySerializer(taxonomy()).data)


class CuratorWrites(permissions.DjangoModelPermissions):
    """Anyone signed in reads; writing needs the curator's add/change permission."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": [], "HEAD": [], "OPTIONS": []}


# A filter's name in the query string → the Question field whose taxonomy gives its slugs.
_TAXONOMY_FILTERS = {
    "role": "roles",
    "level": "levels",
    "company": "companies",
    "category": "category",
    "topic": "topics",
}


def _taxonomy_slugs() -> dict[str, list[str]]:
    try:
        index = taxonomy_index()
    except DatabaseError:
        # A schema built without a database (manage.py check's schema check, at deploy) has no slugs.
        return {}
    return {name: index.allowed(field) for name, field in _TAXONOMY_FILTERS.items()}


class QuestionSchema(AutoSchema):
    """The list's filters with the values each takes: the taxonomy's slugs as they are when the schema
    is served (an unknown slug is a 400 that lists the allowed ones, never an empty page)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self.method != "GET" or self.view.action != "list":
            return parameters
        allowed = {
            **{name: [] for name in _TAXONOMY_FILTERS},
            **_taxonomy_slugs(),
            "difficulty": Question.Difficulty.values,
            "kind": Question.Kind.values,
        }
        filters = [
            OpenApiParameter(
                name,
                str,
                many=True,
                style="form",
                explode=False,
                enum=values or None,  # an empty taxonomy has no values to list
                description=f"{name} slug(s), comma-separated for several",
            )
            for name, values in allowed.items()
        ]
        search = OpenApiParameter(
            "q",
            {"type": "string", "maxLength": QuestionFilter.base_filters["q"].extra["max_length"]},
            description="Full-text search in titles and prompts",
        )
        return [*parameters, *filters, search]


_NOT_CURATOR = OpenApiResponse(description="Only curators write questions: `{code: forbidden}`")
_SLUG_TAKEN = OpenApiResponse(description="A question with this slug exists: `{code: conflict}`")


class QuestionPagination(Pagination):
    django_paginator_class = QuestionPaginator


class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Published questions. Curators also create (POST) and change (PATCH) questions."""

    permission_classes = [permissions.IsAuthenticated, CuratorWrites]
    # Only the list filters (list() runs QuestionFilter itself); one question is found by its id alone.
    filter_backends: list = []
    pagination_class = QuestionPagination
    schema = QuestionSchema()

    def get_queryset(self):
        if self.action == "list":
            return published_question_rows()
        return published_questions().prefetch_related("choices")

    def get_serializer_class(self):
        return QuestionDetailSerializer if self.action == "retrieve" else QuestionListSerializer

    def list(self, request):
        # The filterset (as DjangoFilterBackend would make it) also gives the taxonomy it checked the
        # filters with, and the list's cache key: see QuestionFilter.questions().
        filterset = QuestionFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        page = self.paginate_queryset(filterset.questions())
        rows = question_list_rows(page, filterset.taxonomy)
        return self.get_paginated_response(QuestionListSerializer(rows, many=True).data)

    @extend_schema(
        request=QuestionWriteSerializer,
        responses={201: QuestionSavedSerializer, 403: _NOT_CURATOR, 409: _SLUG_TAKEN},
    )
    def create(self, request):
        data = self._input(request, partial=False)
        if Question.objects.filter(slug=data.get("slug")).exists():
            raise ApplicationError(
                f"A question with the slug {data['slug']!r} exists already.", code="conflict", status_code=409
            )
        return self._save(data, request, status.HTTP_201_CREATED)

    @extend_schema(
        request=QuestionWriteSerializer, responses={200: QuestionSavedSerializer, 403: _NOT_CURATOR}
    )
    def partial_update(self, request, pk=None):
        # DRF's get_object_or_404: a pk that is no number ("abc") is a 404, not a ValueError.
        question = get_object_or_404(bank.export_queryset(), pk=pk)
        changes = self._input(request, partial=True)
        # A status change is a workflow step (draft → in review → published → retired), checked and
        # recorded by question_transition like the admin's, not set as a field.
        to_status = changes.pop("status", question.status)
        data = {**bank.export_row(question), **changes, "slug": question.slug}
        return self._save(data, request, status.HTTP_200_OK, to_status=to_status)

    def _input(self, request, *, partial: bool) -> dict:
        serializer = QuestionWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return {key: request.data[key] for key in serializer.validated_data}

    def _save(self, data: dict, request, status_code: int, to_status: str | None = None) -> Response:
        with transaction.atomic():
            bank.import_rows([bank.Row("request", 1, data)], user=request.user)
            if to_status is not None:
                question = Question.objects.get(slug=data["slug"])
                question_transition(question=question, to_status=to_status, user=request.user)
        question = bank.export_queryset().get(slug=data["slug"])
        return Response({"id": question.id, **bank.export_row(question)}, status=status_code)

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            self.queryset = Question.objects.all()  # DjangoModelPermissions reads the model from here
        return super().get_permissions()


class BenchBaselineApi(APIView):
    """One row by primary key through the same stack, for bench/ to compare against."""

    @extend_schema(exclude=True)
    def get(self, request, pk: int):
        return Response(get_object_or_404(Question.objects.values("id", "slug", "title"), pk=pk))
