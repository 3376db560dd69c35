"""REST API for the core systems: members and records, read through the gate.

Every call names its access purpose in the `purpose` query parameter; the views hold no
logic beyond handing the gate's querysets to DRF's generic list and detail views, and
answering the gate's refusals as JSON (their messages never repeat what the caller sent).
"""

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from purposes.models import Category

from . import gate
from .models import Member, Record
from .payload_schemas import mask_payload
from .services import MEMBER_FIELDS

PURPOSE = OpenApiParameter(
    "purpose",
    str,
    OpenApiParameter.QUERY,
    required=True,
    description="利用目的のコード（利用目的の登録簿が本日この類型に認めているもの）",
)
# The route's <int:pk> matches digits only: a negative id never reaches the view, and the
# resolver's 404 is not the API's JSON. The schema promises only what the route takes.
ID = OpenApiParameter("id", {"type": "integer", "minimum": 0}, OpenApiParameter.PATH)


class MemberOut(serializers.ModelSerializer):
    class Meta:
        model = Member
        # The source system's id stays with the import; the API shows the member.
        fields = ("id", *(field for field in MEMBER_FIELDS if field != "source_id"))


class RecordOut(serializers.ModelSerializer):
    category: serializers.SlugRelatedField[Category] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = ("id", "member", "category", "date", "title", "payload")

    def get_payload(self, record) -> dict:
        return mask_payload(record.category.code, record.payload)


class GatedAPIView(generics.GenericAPIView):
    """Rows from the gate for the `purpose` of the call; a refusal is JSON with its reason."""

    gate_rows: Callable[[gate.Access], gate.GatedQuerySet]  # gate.members, gate.records

    def get_queryset(self):
        access = gate.open_access(
            user=self.request.user,
            surface=gate.Surface.API,
            purpose=self.request.query_params.get("purpose"),
        )
        return self.gate_rows(access)

    def handle_exception(self, exc):
        if isinstance(exc, gate.AccessRefused):
            return Response({"detail": str(exc.args[0]), "reason": exc.reason}, status=403)
        return super().handle_exception(exc)


@extend_schema(parameters=[PURPOSE])
class MemberList(GatedAPIView, generics.ListAPIView):
    serializer_class = MemberOut
    gate_rows = staticmethod(gate.members)


@extend_schema(parameters=[PURPOSE, ID])
class MemberDetail(GatedAPIView, generics.RetrieveAPIView):
    serializer_class = MemberOut
    gate_rows = staticmethod(gate.members)


@extend_schema(parameters=[PURPOSE])
class RecordList(GatedAPIView, generics.ListAPIView):
    serializer_class = RecordOut
    gate_rows = staticmethod(gate.records)

    def get_queryset(self):
        return super().get_queryset().select_related("category")


@extend_schema(parameters=[PURPOSE, ID])
class RecordDetail(GatedAPIView, generics.RetrieveAPIView):
    serializer_class = RecordOut
    gate_rows = staticmethod(gate.records)

    def get_queryset(self):
        return super().get_queryset().select_related("category")
