"""`manage.py restore_drill DUMP [--database NAME] [--checkpoint FILE]`: prove a backup restores.

Restores DUMP (a `pg_dump`, plain or custom format, told apart by its first bytes) into a
scratch database, checks it, drops it, and prints one verdict: exit 0 only if every check
passed. The drill is audited in the source database. The work is in `kumiai.restore`.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from kumiai.restore import RestoreFailed, drill, dump_format


class Command(BaseCommand):
    help = "バックアップ（pg_dump）を一時データベースに復元して検証し、判定を表示します。"

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path, help="pg_dump の出力（プレーン形式または -Fc）")
        parser.add_argument("--database", help="訓練用データベースの名前（既定: 自動で決める）")
        parser.add_argument("--checkpoint", type=Path, help="照合するチェックポイントのファイル")

    def handle(self, *args, dump: Path, database: str | None, checkpoint: Path | None, **options):
        if not dump.is_file():
            raise CommandError(f"バックアップ {dump} が見つかりません。")
        try:
            checks = drill(dump, database=database, checkpoint=checkpoint)
        except RestoreFailed as error:
            raise CommandError(f"判定: 不合格 (FAIL) — {error}") from error
        passed = all(check.passed for check in checks)
        with transaction.atomic():
            append(
                action=Action.AUDIT_RESTORE_DRILLED,
                actor=SYSTEM,
                details={
                    "format": dump_format(dump),
                    "passed": passed,
                    "failed": [check.key for check in checks if not check.passed],
                },
            )
        self.stdout.write(f"復元訓練: {dump}")
        for check in checks:
            self.stdout.write(f"  [{'合格' if check.passed else '不合格'}] {check.name}")
            for line in check.said:
                self.stdout.write(f"      {line}")
        if not passed:
            failed = "、".join(check.name for check in checks if not check.passed)
            raise CommandError(
                f"判定: 不合格 (FAIL) — {failed}。このバックアップからは完全に復元できません。"
            )
        self.stdout.write(
            "判定: 合格 (PASS) — このバックアップから復元でき、監査証跡も検証できました。"
        )
