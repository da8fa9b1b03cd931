"""allauth's e-mails (confirm the address, reset the password) go through the outbox like the others."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.test import RequestFactory

from accounts.models import User
from notifications.models import OutboxEmail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

PASSWORD = "plenty-long-signup-passphrase-7"


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _link(text: str, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/{pattern}[^\s]*/)", text)
    assert match, f"no link matching {pattern!r} in:\n{text}"
    return match.group(1)


def _signup(client, capture, email: str = "new.person@example.com"):
    with capture(execute=True):
        return client.post(
            "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}, follow=True
        )


def test_the_signup_confirmation_is_an_outbox_email_that_arrives_with_a_working_link(
    client, smtp_sink, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)

    user = User.objects.get(email="new.person@example.com")
    email = OutboxEmail.objects.get()
    assert (email.kind, email.to_email, email.user, email.state) == (
        "account_confirm",
        user.email,
        user,
        "sent",
    )
    assert email.key.startswith(f"account_confirm:email_confirmation_signup:user:{user.pk}:")
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == user.email
    assert message["Subject"].startswith("[InterviewNode] ")
    assert message["X-Outbox-Key"].strip() == email.key  # a long header is folded after the colon

    client.post(_link(_text(message), "accounts/confirm-email/"))

    assert EmailAddress.objects.get(email=user.email).verified


def test_a_second_confirmation_is_a_new_email_not_taken_for_the_first(
    client, smtp_sink, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    address = EmailAddress.objects.get(email="new.person@example.com")
    request = RequestFactory().get("/")

    with django_capture_on_commit_callbacks(execute=True), request_context(request):
        address.send_confirmation(request)

    emails = OutboxEmail.objects.filter(kind="account_confirm").order_by("pk")
    assert emails.count() == 2 and emails[0].key != emails[1].key
    assert [m["To"] for m in smtp_sink.wait_for(2)] == [address.email, address.email]


def test_the_password_reset_is_an_outbox_email_that_arrives_with_the_reset_link(
    client, candidate, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": candidate.email})

    email = OutboxEmail.objects.get()
    assert (email.kind, email.to_email, email.user, email.state) == (
        "password_reset",
        candidate.email,
        candidate,
        "sent",
    )
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == candidate.email
    assert "/accounts/password/reset/key/" in _link(_text(message), "accounts/password/reset/key/")


def test_a_refused_confirmation_waits_in_the_outbox_for_a_retry_and_signup_still_succeeds(
    client, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.reject_with = "451 4.3.0 Try again later"

    response = _signup(client, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    email = OutboxEmail.objects.get()
    assert (email.kind, email.state, email.attempts) == ("account_confirm", "pending", 1)
    assert "Try again later" in email.last_error


def test_the_admin_lists_account_emails_without_showing_their_links(
    client, admin_user, smtp_sink, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks)
    email = OutboxEmail.objects.get()
    client.logout()
    client.force_login(admin_user)

    listing = client.get("/admin/notifications/outboxemail/", {"kind__exact": "account_confirm"})
    detail = client.get(f"/admin/notifications/outboxemail/{email.pk}/change/")

    assert "new.person@example.com" in listing.content.decode()
    assert "Confirm e-mail address" in listing.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200 and email.subject in page
    assert "confirm-email/" not in page and "hidden: it carries a one-time link" in page


def test_an_admin_requeues_a_failed_confirmation_and_it_arrives(
    client, admin_user, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_MAX_ATTEMPTS = 1
    smtp_sink.reject_with = "550 5.7.1 Relaying denied"
    _signup(client, django_capture_on_commit_callbacks)
    email = OutboxEmail.objects.get()
    assert email.state == "failed"
    smtp_sink.reject_with = None
    client.logout()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/notifications/outboxemail/", {"action": "requeue", "_selected_action": [email.pk]}
        )

    email.refresh_from_db()
    assert email.state == "sent"
    [message] = smtp_sink.wait_for(1)
    assert "/accounts/confirm-email/" in _text(message)
