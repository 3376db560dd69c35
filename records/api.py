"""REST API for the core systems: members and records, read through the gate.

Every call names its access purpose in the `purpose` query parameter; the views hold no
logic beyond handing the gate's querysets to DRF's generic list and detail views, and
answering the gate's refusals as JSON without repeating what the caller sent.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from purposes import register

from . import gate
from .models import Member, Record
from .schemas import mask_payload
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
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    payload = serializers.SerializerMethodField()

    class Meta:
        model = Record
        fields = ("id", "member", "category", "date", "title", "payload")

    def get_payload(self, record) -> dict:
        return mask_payload(record.category.code, record.payload)


class GatedAPIView(generics.GenericAPIView):
    """Rows from the gate for the `purpose` of the call; a refusal is JSON with its reason."""

    gate_rows = None

    def get_queryset(self):
        access = gate.open_access(
            user=self.request.user,
            surface=gate.Surface.API,
            purpose=self.request.query_params.get("purpose"),
        )
        return self.gate_rows(access)

    def handle_exception(self, exc):
        if isinstance(exc, gate.AccessRefused):
            return Response({"detail": self.refusal_detail(exc), "reason": exc.reason}, status=403)
        return super().handle_exception(exc)

    def refusal_detail(self, refusal: gate.AccessRefused) -> str:
        """The refusal in the project's words, never the caller's. The gate's message for a
        purpose the register lacks repeats the code as it was sent; the API names a purpose
        only by its registered name, and an unknown one not at all."""
        if not isinstance(refusal, gate.PurposeNotPermitted):
            return str(refusal.args[0])  # fixed texts, and dates from the standing records
        on = timezone.localdate()
        known = register.answer(purpose=self.request.query_params.get("purpose", ""), on=on)
        if known.purpose is not None:
            return str(gate.PurposeNotPermitted(known.purpose.name, on).args[0])
        return _(
            "指定された利用目的のコードは、%(on)s 時点の利用目的の登録簿にありません。"
            "登録簿で認められた利用目的のコードを purpose パラメータで指定してください。"
        ) % {"on": on.isoformat()}


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
