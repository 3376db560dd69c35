"""manage.py import_records FILE [--kind members|records] [--dry-run]: all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from audit.trail import SYSTEM
from records.importing import KINDS, RECORDS, import_csv


class Command(BaseCommand):
    help = _("加入者または記録をCSVファイルから取り込む（1行でも誤りがあれば何も取り込まない）。")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=KINDS, default=RECORDS)
        parser.add_argument("--dry-run", action="store_true", help=_("検証と件数の集計だけを行う"))

    def handle(self, *args, file: Path, kind: str, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        with tqdm(desc=file.name, unit=_("行"), disable=options["verbosity"] == 0) as bar:
            report = import_csv(
                data=data, kind=kind, by=SYSTEM, dry_run=dry_run, progress=bar.update
            )
        for problem in report.errors:
            row = "-" if problem.row is None else problem.row
            self.stderr.write(
                _("%(row)s行目 %(field)s: %(reason)s") % (vars(problem) | {"row": row})
            )
        for note in report.masked:
            self.stderr.write(_("%(row)s行目 %(field)s: %(reason)s") % vars(note))
        if report.error_count > len(report.errors):
            self.stderr.write(_("ほか %d 件の誤り") % (report.error_count - len(report.errors)))
        summary = (
            _(
                "%(rows)d行: 新規 %(created)d、更新 %(updated)d、変更なし %(unchanged)d"
                "（SHA-256 %(sha256)s）"
            )
            % report.as_dict()
        )
        if not report.ok:
            raise CommandError(summary + _(" — 誤りがあるため何も取り込んでいません。"))
        self.stdout.write(summary + (_("（試行のみ、書き込みなし）") if dry_run else ""))
