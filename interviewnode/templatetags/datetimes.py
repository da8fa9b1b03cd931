"""``{{ value|local|date:"…" }}``: a datetime in the current time zone, or in UTC where that zone
cannot show it.

Django's own conversion raises OverflowError for a time that the zone would put past year 9999 (or
before year 1), a 500 for every viewer east (or west) of UTC. Slots are bounded when published, but a
page must still show any time the database holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.templatetags.tz import datetimeobject
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=False)
def local(value):
    if not isinstance(value, datetime) or timezone.is_naive(value):
        return value
    try:
        converted = timezone.localtime(value)
    except OverflowError:
        converted = value.astimezone(UTC)
    # As Django's own |timezone filter does: a fresh datetime marked so that the template engine does
    # not convert it again (with the same overflow).
    result = datetimeobject(
        converted.year,
        converted.month,
        converted.day,
        converted.hour,
        converted.minute,
        converted.second,
        converted.microsecond,
        converted.tzinfo,
    )
    result.convert_to_local_time = False
    return result
