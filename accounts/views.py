from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .forms import ProfileForm
from .models import Profile
from .selectors import api_token_created
from .services import profile_update, token_revoke_all


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your target is saved.")
            return redirect("accounts:profile")
    else:
        # Read only: a GET never writes. profile_update creates the profile when the form is saved.
        current = Profile.objects.filter(user=request.user).first()
        initial = {"timezone": request.user.timezone}
        if current is not None:
            initial |= {
                "target_role": current.target_role,
                "target_level": current.target_level,
                "target_companies": current.target_companies.all(),
                "interview_date": current.interview_date,
            }
        form = ProfileForm(initial=initial)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "api_token_created": api_token_created(user=request.user)},
    )


@login_required
@require_POST
def api_token_revoke(request):
    if token_revoke_all(user=request.user):
        messages.success(request, "Your API token is revoked: programs using it are signed out.")
    return redirect("accounts:profile")
