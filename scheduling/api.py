"""Live-mock API: thin views over scheduling.services and scheduling.selectors."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from interviewnode.api import Pagination, StrictCharField

from .selectors import booking_for_user, coach_get, coach_list, open_slots
from .services.bookings import booking_cancel, booking_create
from .services.slots import slot_create, slot_withdraw

_ERRORS = {
    400: OpenApiResponse(description="Invalid input: `{code, detail, errors}`"),
    403: OpenApiResponse(description="Not allowed for your role: `{code: forbidden}`"),
    404: OpenApiResponse(description="No such object, or not yours: `{code: not_found}`"),
    409: OpenApiResponse(
        description="`slot_taken`, `slot_unavailable`, `slot_overlap`, `slot_booked`, `too_late`, "
        "`booking_limit`"
    ),
}


class OffsetDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a UTC offset (``Z`` or ``+02:00``); a local time without one is refused."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed but impossible: minute 99, an offset of +25:00
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss]±hh:mm")
        if parsed is not None and parsed.tzinfo is None:
            raise exceptions.ValidationError("Include a UTC offset, e.g. 2026-11-25T18:00:00+01:00.")
        return super().to_internal_value(value)


class CoachSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user_id")
    name = serializers.SerializerMethodField()
    bio = serializers.CharField()
    roles = serializers.SerializerMethodField()
    companies = serializers.SerializerMethodField()

    def get_name(self, profile) -> str:
        return profile.user.display_name

    def get_roles(self, profile) -> list[str]:
        return [role.slug for role in profile.roles.all()]

    def get_companies(self, profile) -> list[str]:
        return [company.slug for company in profile.companies.all()]


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    coach = serializers.IntegerField(source="coach_id", read_only=True)
    start = OffsetDateTimeField()
    end = OffsetDateTimeField()
    status = serializers.CharField(read_only=True)


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slot = SlotSerializer()
    candidate = serializers.IntegerField(source="candidate_id")
    status = serializers.CharField()
    uid = serializers.CharField()
    sequence = serializers.IntegerField()
    cancel_reason = serializers.CharField()


class BookingCreateSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1)


class BookingCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class CoachListApi(APIView):
    """Coaches who offer live mocks, with the roles and companies they cover."""

    pagination_class = Pagination

    @extend_schema(responses=CoachSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(coach_list(), request, view=self)
        return paginator.get_paginated_response(CoachSerializer(page, many=True).data)


class CoachSlotsApi(APIView):
    """A coach's open future slots (times in UTC), earliest first."""

    pagination_class = Pagination

    @extend_schema(responses={200: SlotSerializer(many=True), 404: _ERRORS[404]})
    def get(self, request, coach_id: int):
        profile = coach_get(coach_id=coach_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(open_slots(coach_id=profile.user_id), request, view=self)
        return paginator.get_paginated_response(SlotSerializer(page, many=True).data)


class SlotCreateApi(APIView):
    """Publish one of your slots (coaches)."""

    @extend_schema(request=SlotSerializer, responses={201: SlotSerializer, **_ERRORS})
    def post(self, request):
        if not request.user.has_role(Role.COACH):
            raise exceptions.PermissionDenied("Only coaches publish slots.")
        serializer = SlotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slot = slot_create(coach=request.user, **serializer.validated_data)
        return Response(SlotSerializer(slot).data, status=status.HTTP_201_CREATED)


class SlotDetailApi(APIView):
    """Withdraw one of your own slots; anybody else's answers 404."""

    @extend_schema(responses={204: None, **_ERRORS})
    def delete(self, request, slot_id: int):
        if not request.user.has_role(Role.COACH):
            raise exceptions.NotFound()
        slot_withdraw(coach=request.user, slot_id=slot_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookingCreateApi(APIView):
    """Book an open slot (candidates); 409 ``slot_taken`` when someone was faster, ``booking_limit``
    when you already hold MAX_UPCOMING_BOOKINGS upcoming bookings."""

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer, **_ERRORS})
    def post(self, request):
        if not request.user.has_role(Role.CANDIDATE):
            raise exceptions.PermissionDenied("Only candidates book live mocks.")
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_create(candidate=request.user, slot_id=serializer.validated_data["slot"])
        booking = booking_for_user(user=request.user, booking_id=booking.pk)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingCancelApi(APIView):
    """Cancel a booking you are the candidate (up to the cut-off) or the coach (with a reason) of."""

    @extend_schema(request=BookingCancelSerializer, responses={200: BookingSerializer, **_ERRORS})
    def post(self, request, booking_id: int):
        serializer = BookingCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = booking_cancel(
            booking_id=booking_id, user=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(BookingSerializer(booking).data)
