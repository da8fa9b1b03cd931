from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property


class Role(models.TextChoices):
    """The roles users hold; each is a Django group of the same name (see accounts/roles.py)."""

    CANDIDATE = "candidate", "Candidate"
    COACH = "coach", "Coach"
    CURATOR = "curator", "Curator"
    ADMIN = "admin", "Admin"


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (use a name such as Europe/Paris).")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address; there is no username."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA name, e.g. Europe/Paris"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.is_superuser or role.value in self.role_names

    @property
    def display_name(self) -> str:
        """How other people see this user: the full name, else a neutral "Member #<id>".

        Never any part of the e-mail address, which is private to the user (and the admin). The
        fallback does not depend on the role, so showing it costs no query in a list.
        """
        return self.get_full_name() or f"Member #{self.pk}"

    @property
    def is_candidate(self) -> bool:
        return self.has_role(Role.CANDIDATE)

    @property
    def is_coach(self) -> bool:
        return self.has_role(Role.COACH)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)


class Profile(models.Model):
    """A candidate's target: what they are preparing for and when."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    target_role = models.ForeignKey(
        "questions.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_level = models.ForeignKey(
        "questions.Level", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_companies = models.ManyToManyField("questions.Company", blank=True, related_name="+")
    interview_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"
