"""`manage.py rekey_members [ID ...]`: give each member named a new data key, seal their sealed
records again under it and destroy the old one (`records.sealing.rekey`; a partial erasure
does it by itself once it commits, and the worker tries again until it is done:
`records.rekeying`). With no id, finish every re-key cut short (a key still being retired: the
process died, or the key store was out of reach half-way) and do every re-key still pending
now, without waiting for the worker's next try. Safe to run again, and beside the worker.
Each member re-keyed is audited (`records.key.replaced`: how many records, the key's version;
`records.rekey.completed` for a pending one that had failed before).
"""

from django.core.management.base import BaseCommand, CommandError

from core import envelope
from records.rekeying import pending_members, rekey_now
from records.sealing import finish_rekeys


class Command(BaseCommand):
    help = (
        "加入者のデータ鍵を新しい鍵に取り替え、記録を暗号化し直して古い鍵を廃棄します"
        "（ID を省くと、途中で止まった取替えと保留中の取替えを完了します）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("members", nargs="*", type=int, metavar="ID")

    def handle(self, *args, members, **options):
        try:
            if not members:
                finished = finish_rekeys()
                self.stdout.write(
                    f"途中で止まっていた鍵の取替え {len(finished)} 件を完了しました。"
                )
                pending = pending_members()
                for member_id in pending:
                    rekey_now(member_id, pending_only=True)
                self.stdout.write(f"保留中の鍵の取替え {len(pending)} 件を完了しました。")
                return
            for member_id in members:
                count = rekey_now(member_id)
                self.stdout.write(
                    f"加入者 {member_id}：記録 {count} 件を新しいデータ鍵で暗号化し直しました。"
                )
        except envelope.KeyUnavailable as refused:
            raise CommandError(str(refused)) from None
