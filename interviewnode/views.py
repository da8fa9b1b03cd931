from django.shortcuts import render

from questions.selectors import taxonomy


def home(request):
    return render(request, "home.html", {"taxonomy": taxonomy()})
