from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import render

from .filters import QuestionFilter
from .models import Question
from .selectors import (
    QuestionPaginator,
    TaxonomyIndex,
    published_question,
    published_question_rows,
    question_page_rows,
    question_tags,
)

PAGE_SIZE = 20


@login_required
def question_list(request):
    filterset = QuestionFilter(request.GET, queryset=published_question_rows())
    if not filterset.is_valid():
        context = {"errors": filterset.errors, "page": None, **_filter_context(request, filterset.taxonomy)}
        return render(request, "questions/list.html", context, status=400)
    paginator = QuestionPaginator(filterset.questions(), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        raise Http404("That page of results does not exist.") from None
    page.object_list = question_page_rows(page.object_list, filterset.taxonomy)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "query": query.urlencode(), **_filter_context(request, filterset.taxonomy)}
    return render(request, "questions/list.html", context)


def _filter_context(request, index: TaxonomyIndex) -> dict:
    selected = {
        key: request.GET.get(key, "")
        for key in ("role", "level", "company", "category", "difficulty", "kind", "topic", "q")
    }
    return {
        "options": {name: index.options(name) for name in ("category", "roles", "levels", "companies")},
        "selected": selected,
        "difficulties": Question.Difficulty.choices,
        "kinds": Question.Kind.choices,
    }


@login_required
def question_detail(request, slug: str):
    try:
        question = published_question(slug=slug)
    except Question.DoesNotExist:
        raise Http404("No published question has that address.") from None
    return render(request, "questions/detail.html", {"question": question, "tags": question_tags(question)})
