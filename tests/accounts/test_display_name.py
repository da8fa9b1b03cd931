"""What other people see of a user: the full name, else a neutral name, never the e-mail address."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_display_name_is_the_full_name():
    user = UserFactory(role=Role.COACH, first_name="Grace", last_name="Hopper")

    assert user.display_name == "Grace Hopper"


def test_without_a_name_the_display_name_is_neutral_and_no_part_of_the_address():
    user = UserFactory(role=Role.COACH, email="grace.hopper@navy.example", first_name=" ", last_name="")

    assert user.display_name == f"Member #{user.pk}"
    assert not any(part in user.display_name.lower() for part in ("grace", "hopper", "navy", "@"))
