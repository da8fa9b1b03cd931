"""The unsubscribe pages: a link in each optional e-mail turns it off without signing in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from interviewnode.errors import ApplicationError

from .forms import PreferenceForm
from .models import EmailPreference
from .preferences import preference_opt_out, preference_update


def unsubscribe(request, token: str):
    """Opt out of the optional e-mails from a link, without signing in; GET only shows the choices."""
    preference = get_object_or_404(EmailPreference.objects.select_related("user"), token=token)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            preference_update(token=token, **form.cleaned_data)
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("notifications:unsubscribe", token=token)
    else:
        initial = {
            "weekly_digest": preference.weekly_digest,
            "practice_reminders": preference.practice_reminders,
        }
        # The link in an e-mail unticks the kind it came from; nothing changes until the form is sent.
        if request.GET.get("kind") in initial:
            initial[request.GET["kind"]] = False
        form = PreferenceForm(initial=initial)
    return render(request, "notifications/unsubscribe.html", {"form": form, "preference": preference})


# The POST comes from a mail client (RFC 8058), which has no CSRF token: the link's token is the secret.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_one_click(request, token: str, kind: str):
    """The List-Unsubscribe address: a POST opts out at once; a GET (a link checker, a person) only
    shows the preferences page, so that nothing changes without a deliberate request."""
    if request.method == "GET":
        return redirect(reverse("notifications:unsubscribe", args=[token]) + "?" + urlencode({"kind": kind}))
    try:
        preference_opt_out(token=token, kind=kind)
    except ApplicationError as error:
        return HttpResponse(error.detail, status=error.status_code, content_type="text/plain")
    return HttpResponse("Unsubscribed.", content_type="text/plain")
