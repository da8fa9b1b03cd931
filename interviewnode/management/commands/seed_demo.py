from datetime import time, timedelta

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_setup
from interviews.services import templates_seed
from questions.models import Company
from questions.models import Role as JobRole
from scheduling.models import CoachProfile, Slot
from scheduling.services.slots import coach_profile_update, slots_create_weekly

DEMO_PASSWORD = "interviewnode-demo"  # noqa: S105 - the published demo password
DEMO_USERS = [
    ("candidate@example.com", Role.CANDIDATE, "Casey", "Candidate"),
    ("coach@example.com", Role.COACH, "Cora", "Coach"),
    ("curator@example.com", Role.CURATOR, "Cyrus", "Curator"),
    ("admin@example.com", Role.ADMIN, "Ada", "Admin"),
]


class Command(BaseCommand):
    help = "Load the question bank and create the demo users and interview templates (idempotent)."

    def handle(self, *args, **options):
        call_command("load_bank", stdout=self.stdout)
        with transaction.atomic():
            for email, role, first_name, last_name in DEMO_USERS:
                user, created = User.objects.get_or_create(
                    email=email, defaults={"first_name": first_name, "last_name": last_name}
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                user_setup(user=user, role=role)
                if role == Role.ADMIN and not user.is_superuser:
                    user.is_superuser = True  # is_staff follows the admin role (user_setup)
                    user.save(update_fields=["is_superuser"])
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
        self._demo_coach()
        templates = templates_seed()
        self.stdout.write(self.style.SUCCESS(f"Interview templates: {len(templates)}."))
        self.stdout.write(self.style.SUCCESS(f"Demo users (password for all: {DEMO_PASSWORD}):"))
        for email, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {role.label:<10} {email}")

    def _demo_coach(self) -> None:
        """The demo coach's profile and, when none is left, a month of weekly evening slots."""
        coach = User.objects.get(email="coach@example.com")
        if coach.timezone == "UTC":
            coach.timezone = "Europe/London"
            coach.save(update_fields=["timezone"])
        if not CoachProfile.objects.filter(user=coach).exists():  # never overwrite what the coach wrote
            coach_profile_update(
                coach=coach,
                bio="Former ML engineering manager; has run hundreds of ML system design and "
                "behavioral interviews. Coaches mid to staff candidates.",
                roles=JobRole.objects.filter(slug__in=["ml-engineer", "applied-scientist"]),
                companies=Company.objects.filter(slug__in=["google", "meta", "amazon"]),
                is_listed=True,
            )
        if not Slot.objects.filter(coach=coach, status=Slot.Status.OPEN, start__gt=timezone.now()).exists():
            for weekday in (1, 3):  # Tuesday and Thursday evenings, London time
                slots_create_weekly(
                    coach=coach, weekday=weekday, at=time(18), duration=timedelta(hours=1), weeks=4
                )
