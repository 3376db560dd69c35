"""`manage.py seal_records`: seal the records of the categories stored encrypted that are still
held in clear (written before sealing existed, or restored from such a backup), in batches
of 5,000, each in its own transaction. Run once after upgrading; safe to run again. Audited
(`records.records.sealed`: how many). The cleartext leaves the table's live rows at once;
PostgreSQL's dead tuples keep it until VACUUM (run `VACUUM records_record` after it).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from core import envelope
from records.sealing import seal_stored


class Command(BaseCommand):
    help = "暗号化して保管する類型の記録のうち、平文のままのものを暗号化します。"

    def handle(self, *args, **options):
        try:
            count = seal_stored()
        except envelope.KeyUnavailable as refused:
            raise CommandError(str(refused)) from None
        with transaction.atomic():
            append(action=Action.RECORDS_RECORDS_SEALED, actor=SYSTEM, details={"records": count})
        self.stdout.write(f"平文で保管していた記録 {count} 件を暗号化しました。")
