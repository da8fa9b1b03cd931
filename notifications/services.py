"""The e-mail outbox: an e-mail is a row written with the change that causes it, then sent by Celery.

``email_enqueue`` writes the row in the caller's transaction and publishes the send task after commit;
``email_send`` (the task) claims the row with a conditional UPDATE, so a second run sends nothing;
``outbox_sweep`` (every minute on beat) schedules again what a dead broker or worker dropped.

Every app e-mails through it, accounts too (allauth's e-mails): it takes any user of the site's model
(AbstractBaseUser, with the ``first_name`` and ``timezone`` of accounts.User) and imports no app.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)

# Rows the sweep schedules per run (it runs every minute).
SWEEP_BATCH = 500
# A pending row not sent this long after its send was scheduled is scheduled again by the sweep.
RESEND_AFTER = timedelta(minutes=1)
# Wait after a failed attempt: 1, 2, 4, 8 … minutes, at most an hour.
RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 3600

State = OutboxEmail.State


def email_enqueue(
    *,
    kind: str,
    key: str,
    to_email: str,
    template: str,
    context: Mapping[str, Any],
    user: AbstractBaseUser | None = None,
    attachments: Iterable[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> OutboxEmail:
    """Write an e-mail to the outbox in the caller's transaction; it is sent once that commits.

    ``key`` names the e-mail (kind + object + recipient [+ sequence], e.g.
    ``"session_submitted:session:42:user:7"``): a second call with the same key returns the existing
    row and sends nothing. ``templates/emails/<template>.subject.txt``, ``.txt`` and ``.html`` are
    rendered now, in the recipient's time zone, with ``context`` plus ``site_url``. ``attachments`` are
    ``{"filename", "content_type", "content"}`` with text content (an .ics invite, for instance);
    ``headers`` are extra header lines (``List-Unsubscribe``). A broker outage never fails the caller:
    the e-mail waits for the sweep.
    """
    subject, body_text, body_html = _render(template, context, user=user)
    return email_enqueue_rendered(
        kind=kind,
        key=key,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        user=user,
        attachments=attachments,
        headers=headers,
    )


def email_enqueue_rendered(
    *,
    kind: str,
    key: str,
    to_email: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    user: AbstractBaseUser | None = None,
    attachments: Iterable[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> OutboxEmail:
    """``email_enqueue`` for an e-mail rendered elsewhere (allauth's account e-mails, by its adapter)."""
    if kind not in OutboxEmail.Kind.values:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    email, created = OutboxEmail.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to_email": to_email,
            "user": user,
            "subject": " ".join(subject.split())[:255],
            "body_text": body_text,
            "body_html": body_html,
            "attachments": _checked_attachments(attachments),
            "headers": _checked_headers(headers or {}),
            "next_attempt_at": timezone.now() + RESEND_AFTER,
        },
    )
    if created:
        transaction.on_commit(partial(_schedule_send, email.pk))
    return email


def email_user(
    *,
    user: AbstractBaseUser,
    kind: str,
    about: str,
    context: Mapping[str, Any],
    attachments: Iterable[Mapping[str, str]] = (),
) -> OutboxEmail:
    """``email_enqueue`` for the usual case: the ``kind`` template, to one user, about one object.

    ``about`` names the object (``"session:42"``, ``"booking:7:seq:2"``); the key is
    ``<kind>:<about>:user:<id>``, and the context gets the user's ``name``.
    """
    return email_enqueue(
        kind=kind,
        key=f"{kind}:{about}:user:{user.pk}",
        to_email=user.email,
        user=user,
        template=kind,
        context={"name": user.first_name, **context},
        attachments=attachments,
    )


def email_send(*, email_id: int) -> bool:
    """Send one outbox e-mail and record the outcome; returns whether this call sent it.

    Safe to run twice, or twice at once: only the run whose conditional UPDATE claims the row sends
    (a pending row, or one a dead worker left "sending" for longer than OUTBOX_STALE_SECONDS). The SMTP
    conversation happens outside any transaction. A failure is retried later with backoff (the sweep
    picks the row up when due) until EMAIL_MAX_ATTEMPTS, then the row is "failed".
    """
    claimed_at = timezone.now()
    stale = claimed_at - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    claimed = OutboxEmail.objects.filter(
        Q(state=State.PENDING) | Q(state=State.SENDING, claimed_at__lt=stale),
        pk=email_id,
        attempts__lt=settings.EMAIL_MAX_ATTEMPTS,
    ).update(state=State.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    # Only our own claim is updated: a worker that took the row over as stale owns it now.
    ours = OutboxEmail.objects.filter(pk=email_id, state=State.SENDING, claimed_at=claimed_at)
    try:
        _message(email).send()
    except Exception as exc:
        attempts = email.attempts
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if attempts >= settings.EMAIL_MAX_ATTEMPTS:
            ours.update(state=State.FAILED, last_error=error)
            logger.error("E-mail %s failed for good after %s attempts: %s", email_id, attempts, error)
        else:
            wait = min(RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)
            ours.update(
                state=State.PENDING,
                last_error=error,
                next_attempt_at=timezone.now() + timedelta(seconds=wait),
            )
            logger.warning(
                "E-mail %s failed (attempt %s), retrying in %ss: %s", email_id, attempts, wait, error
            )
        return False
    if not ours.update(state=State.SENT, sent_at=timezone.now()):
        logger.warning("E-mail %s was sent, but another worker had taken it over as stale", email_id)
    return True


def email_requeue(*, email_id: int) -> bool:
    """Give a failed e-mail a fresh set of attempts and send it (an admin's action).

    Returns False, changing nothing, when the e-mail is not failed.
    """
    with transaction.atomic():
        requeued = OutboxEmail.objects.filter(pk=email_id, state=State.FAILED).update(
            state=State.PENDING, attempts=0, next_attempt_at=timezone.now() + RESEND_AFTER
        )
        if requeued:
            transaction.on_commit(partial(_schedule_send, email_id))
    return bool(requeued)


def outbox_sweep() -> int:
    """Schedule the sends a dead broker or worker dropped; returns how many it scheduled.

    Picks at most SWEEP_BATCH rows, oldest due first: pending rows whose ``next_attempt_at`` has
    passed (never handed to the broker, or retrying after a failure) and rows left "sending" by a dead
    worker. Safe to run concurrently: rows are taken with SKIP LOCKED and pushed RESEND_AFTER into the
    future, so the next runs leave them to the send scheduled now.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    with transaction.atomic():
        # A worker died during the last allowed attempt: nothing will send it, an admin may re-queue it.
        OutboxEmail.objects.filter(
            state=State.SENDING, claimed_at__lt=stale, attempts__gte=settings.EMAIL_MAX_ATTEMPTS
        ).update(state=State.FAILED, last_error="The worker stopped during the last attempt.")
        due = list(
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=State.PENDING) | Q(state=State.SENDING, claimed_at__lt=stale),
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        OutboxEmail.objects.filter(pk__in=due).update(next_attempt_at=now + RESEND_AFTER)
        transaction.on_commit(partial(_schedule_sends, due))
    return len(due)


def _schedule_sends(email_ids: list[int]) -> None:
    for done, email_id in enumerate(email_ids):
        if not _schedule_send(email_id):
            logger.warning("%s e-mails left for the next outbox sweep", len(email_ids) - done)
            return


def _schedule_send(email_id: int) -> bool:
    """Hand the send to Celery; a broker outage is logged, never raised (the sweep sends it later)."""
    from .tasks import send_email_task  # noqa: PLC0415 - a real cycle: the tasks module imports this one

    try:
        send_email_task.delay(email_id)
    except Exception:
        logger.warning(
            "Could not hand e-mail %s to Celery; the outbox sweep will send it", email_id, exc_info=True
        )
        return False
    return True


def _render(
    template: str, context: Mapping[str, Any], *, user: AbstractBaseUser | None
) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    with timezone.override(user.timezone if user else settings.TIME_ZONE):
        subject = render_to_string(f"emails/{template}.subject.txt", context)
        body_text = render_to_string(f"emails/{template}.txt", context)
        body_html = render_to_string(f"emails/{template}.html", context)
    # A subject is one line; templates may wrap it for readability.
    return " ".join(subject.split())[:255], body_text.strip() + "\n", body_html


def _checked_attachments(attachments: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    checked = []
    for attachment in attachments:
        item = {name: attachment[name] for name in ("filename", "content_type", "content")}
        if not all(isinstance(value, str) for value in item.values()):
            raise TypeError("An attachment's filename, content_type and content must be text")
        checked.append(item)
    return checked


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Checked when the row is written, not when a worker sends it: a line break would inject headers.
    for name, value in headers.items():
        if not (isinstance(name, str) and isinstance(value, str)) or any(
            char in name + value for char in "\r\n"
        ):
            raise ValueError(f"An e-mail header must be one line of text: {name!r}")
    return dict(headers)


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        to=[email.to_email],
        headers={**email.headers, "X-Outbox-Key": email.key},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(_mime_attachment(attachment))
    return message


def _mime_attachment(attachment: Mapping[str, str]) -> MIMEBase:
    """A MIME part keeping the content type's parameters (``text/calendar; method=REQUEST``)."""
    mimetype, *params = (part.strip() for part in attachment["content_type"].split(";"))
    maintype, subtype = mimetype.split("/", 1)
    if maintype == "text":
        part: MIMEBase = MIMEText(attachment["content"], subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        part.set_payload(attachment["content"].encode())
        encoders.encode_base64(part)
    for param in params:
        name, _, value = param.partition("=")
        part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part
