"""POST /api/v1/import/: a core system sends a CSV file of members or records.

Thin by design: the view reads the upload and hands it to `records.importing.import_csv`,
which validates every row and writes all or nothing. Permission: a staff account holding
`records.import_data` (the core systems' account; the admin's add/change permissions do
not give it), authenticated by token.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from .importing import KINDS, import_csv


class CSVParser(BaseParser):
    """A text/csv body, kept as bytes under "csv": the import decides on the encoding
    (UTF-8 or CP932)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> dict[str, bytes]:
        return {"csv": stream.read() if stream is not None else b""}


class CanImport(BasePermission):
    message = _("CSVの取り込みには、職員アカウントと取り込みの権限が必要です。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user.is_authenticated and user.is_staff and user.has_perm("records.import_data")
        )


_Report = inline_serializer(
    "ImportReport",
    {
        "kind": serializers.ChoiceField(choices=KINDS),
        "sha256": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "imported": serializers.BooleanField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "error_count": serializers.IntegerField(),
        "errors": inline_serializer(
            "ImportRowError",
            {
                "row": serializers.IntegerField(allow_null=True),
                "field": serializers.CharField(),
                "reason": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class ImportView(APIView):
    parser_classes = (MultiPartParser, CSVParser)
    permission_classes = (CanImport,)

    @extend_schema(
        summary="加入者または記録のCSV取り込み",
        description=(
            "multipart の `file`、または text/csv の本文。全行が正しいときだけ全行を取り込む。"
        ),
        parameters=[
            OpenApiParameter("kind", enum=KINDS, required=True),
            OpenApiParameter("dry_run", bool, description="検証と件数の集計だけを行う"),
        ],
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            },
            "text/csv": {"type": "string"},
        },
        responses={200: _Report, 400: _Report},
    )
    def post(self, request):
        kind = request.query_params.get("kind") or request.POST.get("kind", "")
        if kind not in KINDS:
            raise ParseError(_("kind には members か records を指定してください。"))
        if "file" in request.FILES:
            data = request.FILES["file"].read()
        elif request.content_type.startswith(CSVParser.media_type):
            # DRF hands an empty body to no parser: an empty file, for the import to report.
            data = request.data.get("csv", b"")
        else:
            raise ParseError(
                _("CSVファイルを file として送るか、text/csv の本文で送ってください。")
            )
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        report = import_csv(data=data, kind=kind, by=request.user, dry_run=dry_run)
        return Response(
            report.as_dict(),
            status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST,
        )
