from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults

from questions.selectors import taxonomy


def home(request):
    return render(request, "home.html", {"taxonomy": taxonomy()})


def page_not_found(request, exception):
    """A URL that matches nothing: the API's error shape under /api/ (``/api/v1/sessions/abc/``, say),
    where clients parse JSON, and the usual page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "No such URL."}, status=404)
    return defaults.page_not_found(request, exception)
