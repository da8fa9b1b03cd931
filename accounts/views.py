from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import ProfileForm
from .models import Profile
from .services import profile_update


@login_required
def profile(request):
    current, _ = Profile.objects.get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            profile_update(user=request.user, **form.cleaned_data)
            messages.success(request, "Your target is saved.")
            return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "target_role": current.target_role,
                "target_level": current.target_level,
                "target_companies": current.target_companies.all(),
                "interview_date": current.interview_date,
                "timezone": request.user.timezone,
            }
        )
    return render(request, "accounts/profile.html", {"form": form, "profile": current})
