"""The register for the core systems (`/api/v1/purposes/`): which purpose codes each category
may be read for, so that a caller knows what to send as `?purpose=`. Read-only, from the
published revision in force; the draft in the admin never shows here.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .register import codes_in_force

BAD_DATE = _("on は 2026-04-01 のように、年-月-日の数字で指定してください。")


class OnIn(serializers.Serializer):
    on = serializers.DateField(
        required=False, help_text="この日に認められている利用目的（YYYY-MM-DD、省略すると本日）"
    )


class PurposeOut(serializers.Serializer):
    code = serializers.CharField(help_text="利用目的のコード（?purpose= に送る値）")
    name = serializers.CharField(help_text="利用目的の名称（公表している通知のとおり）")


class CategoryOut(serializers.Serializer):
    code = serializers.CharField(help_text="個人情報の類型のコード")
    name = serializers.CharField(help_text="個人情報の類型の名称")
    sensitive = serializers.BooleanField(help_text="要配慮個人情報を含むか")
    purposes = PurposeOut(many=True, help_text="この日にこの類型に認められている利用目的")


class RegisterOut(serializers.Serializer):
    on = serializers.DateField()
    revision = serializers.IntegerField(
        allow_null=True, help_text="その日に効力のある通知の版（公表前は null）"
    )
    effective_on = serializers.DateField(allow_null=True, help_text="その版の効力発生日")
    categories = CategoryOut(many=True)


@extend_schema(
    parameters=[OnIn],
    # An `on` that is not a date: the API's error answer (records.api_schema describes it).
    responses={
        200: RegisterOut,
        400: OpenApiResponse(
            inline_serializer("Error", {"detail": serializers.CharField()}),
            description=BAD_DATE,
        ),
    },
    summary="利用目的の登録簿：類型ごとに認められている利用目的のコードと名称",
)
class PurposeRegister(APIView):
    def get(self, request):
        query = OnIn(data=request.query_params)
        if not query.is_valid():
            return Response({"detail": BAD_DATE}, status=400)
        on = query.validated_data.get("on") or timezone.localdate()
        revision, categories = codes_in_force(on=on)
        return Response(
            RegisterOut(
                {
                    "on": on,
                    "revision": revision and revision.number,
                    "effective_on": revision and revision.effective_on,
                    "categories": categories,
                }
            ).data
        )
