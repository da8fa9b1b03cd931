"""Writes for live mock interviews, one module per concept: ``slots`` (what coaches offer and their
directory profile), ``bookings`` (book, cancel, reschedule), ``reminders`` (planned with a booking,
sent when due) and ``emails`` (the e-mails about a booking, to both its candidate and its coach).

Every e-mail is written to the outbox (notifications.services) in the transaction of the change that
causes it; the outbox sends it after commit.
"""
