from __future__ import annotations

from uuid import uuid4

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied

from interviewnode.proxies import client_ip
from notifications.services import email_enqueue_rendered

from .models import Role, User
from .services import password_change, user_setup

# allauth's e-mail templates (the name after "account/email/") and their outbox kinds; its other
# e-mails (unknown account, password changed, …) are of kind "account".
EMAIL_KINDS = {
    "email_confirmation": "account_confirm",
    "email_confirmation_signup": "account_confirm",
    "password_reset_key": "password_reset",
}


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user_setup(user=user, role=Role.CANDIDATE)
        return user

    def set_password(self, user, password: str) -> None:
        # Every allauth flow that gives a password (change, set, reset by link or code) comes here.
        password_change(user=user, password=password)

    def get_client_ip(self, request) -> str:
        # allauth's per-IP limits see the same client as the API's rate limits and the login lockout.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's IP address.")
        return ip

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails go through the outbox like the others: a row first (the admin sees it,
        retries and re-queues it), sent by Celery after commit, instead of SMTP inside the request.

        Each call is a new e-mail: the key ends in a random part, so a second confirmation link asked
        for a minute later is sent too, never taken for the first one.
        """
        request = allauth_context.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        name = template_prefix.rsplit("/", 1)[-1]
        kind = EMAIL_KINDS.get(name, "account")
        user = context.get("user")
        user = user if isinstance(user, User) and user.pk else None
        recipient = f"user:{user.pk}" if user else "no-account"
        html = [
            content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"
        ]
        email_enqueue_rendered(
            kind=kind,
            key=f"{kind}:{name}:{recipient}:{uuid4().hex}",
            to_email=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html[0] if html else "",
            user=user,
        )
