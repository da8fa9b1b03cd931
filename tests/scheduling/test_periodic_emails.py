"""Booking reminders, the weekly digest and practice reminders: due once, opt-outs, each user's time zone,
and the outbox keys that make an e-mail queued by an earlier release count as sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from accounts.models import Profile, Role
from interviews.models import InterviewSession, SessionItem
from notifications.models import EmailPreference, OutboxEmail
from progress.emails import practice_reminders_send, weekly_digest_send
from scheduling.models import Reminder
from scheduling.services.bookings import booking_cancel, booking_create
from scheduling.services.reminders import reminders_send_due
from tests.factories import (
    QuestionFactory,
    UserFactory,
    category,
    coach_slot,
    interview_session,
    outbox_email,
)

pytestmark = pytest.mark.django_db

# Monday 26 October 2026, 08:00 UTC: the digest's week spans Europe/Paris leaving summer time (25 Oct).
DIGEST_RUN = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def submitted_session(candidate, *, at: datetime, scores: dict[str, int]):
    """A reviewed session submitted at ``at``, with one item per category slug and its score."""
    questions = [QuestionFactory(category=category(slug)) for slug in scores]
    with time_machine.travel(at - timedelta(minutes=30), tick=False):
        session = interview_session(candidate, questions)
    for item in session.items.select_related("question__category"):
        SessionItem.objects.filter(pk=item.pk).update(score=scores[item.question.category.slug])
    InterviewSession.objects.filter(pk=session.pk).update(
        status=InterviewSession.Status.REVIEWED, closed_by="candidate", submitted_at=at, score=60
    )
    return session


def emails(kind: str, user=None):
    found = OutboxEmail.objects.filter(kind=kind)
    return found.filter(user=user) if user else found


def test_beat_runs_reminders_every_minute_the_digest_on_monday_and_practice_reminders_daily():
    tasks = {task.task: task for task in PeriodicTask.objects.filter(task__startswith="scheduling.")}
    reminders = tasks["scheduling.tasks.send_due_reminders"]
    assert (reminders.interval.every, reminders.interval.period) == (1, "minutes")
    digest = tasks["scheduling.tasks.send_weekly_digest"].crontab
    assert (digest.minute, digest.hour, digest.day_of_week, str(digest.timezone)) == ("0", "8", "1", "UTC")
    practice = tasks["scheduling.tasks.send_practice_reminders"].crontab
    assert (practice.day_of_week, practice.day_of_month) == ("*", "*")
    assert all(task.enabled for task in tasks.values())


def test_due_reminders_go_to_both_once_and_never_for_a_cancelled_booking(coach, candidate, other_candidate):
    kept = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=30).pk)
    dropped = booking_create(candidate=other_candidate, slot_id=coach_slot(coach, hours_ahead=31).pk)
    booking_cancel(booking_id=dropped.pk, user=other_candidate)
    now = kept.slot.start - timedelta(hours=23)

    assert reminders_send_due(now=now) == 1
    assert reminders_send_due(now=now) == 0

    sent = emails("booking_reminder")
    assert {email.to_email for email in sent} == {candidate.email, coach.email}
    assert Reminder.objects.get(booking=kept, kind="24h").sent_at == now
    assert Reminder.objects.get(booking=kept, kind="1h").sent_at is None


def test_the_weekly_digest_sums_up_the_week_in_the_candidates_time_zone_across_dst(coach, taxonomy):
    paris = UserFactory(role=Role.CANDIDATE, timezone="Europe/Paris", first_name="Ada")
    submitted_session(
        paris, at=datetime(2026, 10, 24, 10, 0, tzinfo=UTC), scores={"ml-theory": 80, "coding": 40}
    )
    submitted_session(paris, at=datetime(2026, 10, 10, 10, 0, tzinfo=UTC), scores={"statistics": 90})  # older
    with time_machine.travel(DIGEST_RUN - timedelta(days=7), tick=False):
        booking_create(
            candidate=paris, slot_id=coach_slot(coach, start=datetime(2026, 10, 27, 17, tzinfo=UTC)).pk
        )

    with time_machine.travel(DIGEST_RUN, tick=False):
        assert weekly_digest_send(now=DIGEST_RUN) == 1

    [digest] = emails("weekly_digest", paris)
    body = digest.body_text
    assert digest.subject == "[InterviewNode] Your week: 1 session"
    assert "Sat 24 Oct, 12:00" in body  # 10:00 UTC in summer time (CEST)
    assert "Tue 27 Oct, 18:00 CET" in body  # 17:00 UTC after the change
    assert (
        "ML theory: 80/100" in body and "Coding: 40/100" in body and "Statistics" not in body.split("What")[0]
    )
    assert "What to practise next: Coding, ML theory." in body
    assert "/email/unsubscribe/" in body and "/email/unsubscribe/" in digest.body_html


def test_the_digest_skips_opted_out_candidates_and_coaches_and_a_second_run_sends_nothing(coach, candidate):
    opted_out = UserFactory(role=Role.CANDIDATE)
    EmailPreference.objects.create(user=opted_out, weekly_digest=False)

    with time_machine.travel(DIGEST_RUN, tick=False):
        assert weekly_digest_send(now=DIGEST_RUN) == 1
        assert weekly_digest_send(now=DIGEST_RUN + timedelta(hours=1)) == 0

    assert [email.to_email for email in emails("weekly_digest")] == [candidate.email]
    # The next week brings the next digest.
    with time_machine.travel(DIGEST_RUN + timedelta(days=7), tick=False):
        assert weekly_digest_send(now=DIGEST_RUN + timedelta(days=7)) == 1


def test_practice_reminders_count_days_in_the_candidates_own_calendar():
    # Sunday 22 November 2026, 23:30 UTC: already Monday 23 November in Tokyo.
    now = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    tokyo = UserFactory(role=Role.CANDIDATE, timezone="Asia/Tokyo")
    utc = UserFactory(role=Role.CANDIDATE)
    for user in (tokyo, utc):
        Profile.objects.filter(user=user).update(interview_date=date(2026, 12, 14))

    assert practice_reminders_send(now=now) == 1

    [reminder] = emails("practice_reminder")
    assert reminder.user == tokyo  # 21 days away in Tokyo; 22 days (too far) in UTC
    assert "21 days to go" in reminder.body_text
    assert "Monday 14 December 2026" in reminder.body_text


def test_practice_reminders_are_weekly_and_respect_the_opt_out():
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
    keen, opted_out, far = (UserFactory(role=Role.CANDIDATE) for _ in range(3))
    Profile.objects.filter(user__in=[keen, opted_out]).update(interview_date=date(2026, 12, 3))
    Profile.objects.filter(user=far).update(interview_date=date(2027, 1, 30))
    EmailPreference.objects.create(user=opted_out, practice_reminders=False)

    for day in range(7):  # the daily task, all week
        practice_reminders_send(now=now + timedelta(days=day))
    assert [email.user for email in emails("practice_reminder")] == [keen]

    practice_reminders_send(now=now + timedelta(days=7))
    assert emails("practice_reminder", keen).count() == 2


@pytest.mark.parametrize(
    ("send", "kind", "other"),
    [
        (weekly_digest_send, "weekly_digest", "practice_reminders"),
        (practice_reminders_send, "practice_reminders", "weekly_digest"),
    ],
)
def test_the_mail_clients_unsubscribe_button_turns_off_that_email_in_one_click(
    candidate, client, smtp_sink, django_capture_on_commit_callbacks, send, kind, other
):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
    Profile.objects.filter(user=candidate).update(interview_date=date(2026, 12, 3))
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(now, tick=False):
        assert send(now=now) == 1

    [message] = smtp_sink.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    assert path.endswith(f"/{kind}/one-click/")

    # A link checker's GET changes nothing: it lands on the preferences page.
    landing = client.get(path)
    assert landing.status_code == 302 and f"kind={kind}" in landing["Location"]
    # The mail client's POST (RFC 8058): no session, no CSRF token.
    client.handler.enforce_csrf_checks = True
    form = "application/x-www-form-urlencoded"
    response = client.post(path, "List-Unsubscribe=One-Click", content_type=form)

    assert response.status_code == 200
    preference = EmailPreference.objects.get(user=candidate)
    assert (getattr(preference, kind), getattr(preference, other)) == (False, True)


def test_a_one_click_unsubscribe_with_a_bad_token_or_kind_changes_nothing(candidate, client):
    preference = EmailPreference.objects.create(user=candidate)

    assert client.post("/email/unsubscribe/not-a-token/weekly_digest/one-click/").status_code == 404
    assert client.post(f"/email/unsubscribe/{preference.token}/is_active/one-click/").status_code == 404

    preference.refresh_from_db()
    assert (preference.weekly_digest, preference.practice_reminders) == (True, True)


# --- outbox keys: rows written by earlier releases still count ---------------------------------------
# Each key is spelled out as earlier releases wrote it: an e-mail already in the outbox under it is not
# sent a second time after a deploy.


def test_booking_emails_keep_their_outbox_keys(coach, candidate):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=30).pk)

    assert set(emails("booking_confirmed").values_list("key", flat=True)) == {
        f"booking_confirmed:booking:{booking.pk}:seq:0:user:{candidate.pk}",
        f"booking_confirmed:booking:{booking.pk}:seq:0:user:{coach.pk}",
    }


def test_a_booking_reminder_already_in_the_outbox_is_not_sent_again(coach, candidate):
    booking = booking_create(candidate=candidate, slot_id=coach_slot(coach, hours_ahead=30).pk)
    reminder = Reminder.objects.get(booking=booking, kind="24h")
    earlier = outbox_email(
        candidate, kind="booking_reminder", key=f"booking_reminder:reminder:{reminder.pk}:user:{candidate.pk}"
    )

    assert reminders_send_due(now=booking.slot.start - timedelta(hours=23)) == 1

    assert list(emails("booking_reminder", candidate)) == [earlier]
    [to_coach] = emails("booking_reminder", coach)
    assert to_coach.key == f"booking_reminder:reminder:{reminder.pk}:user:{coach.pk}"


def test_a_weekly_digest_already_in_the_outbox_is_not_sent_again(candidate):
    earlier = outbox_email(
        candidate, kind="weekly_digest", key=f"weekly_digest:user:{candidate.pk}:week:2026-W44"
    )

    with time_machine.travel(DIGEST_RUN, tick=False):  # the Monday of ISO week 44
        assert weekly_digest_send(now=DIGEST_RUN) == 0

    assert list(emails("weekly_digest")) == [earlier]


def test_a_practice_reminder_already_in_the_outbox_is_not_sent_again(candidate):
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the Monday of ISO week 48
    Profile.objects.filter(user=candidate).update(interview_date=date(2026, 12, 3))
    earlier = outbox_email(
        candidate, kind="practice_reminder", key=f"practice_reminder:user:{candidate.pk}:week:2026-W48"
    )

    assert practice_reminders_send(now=now) == 0

    assert list(emails("practice_reminder")) == [earlier]
