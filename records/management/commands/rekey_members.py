"""`manage.py rekey_members [ID ...]`: give each member named a new data key, seal their sealed
records again under it and destroy the old one (`records.sealing.rekey`; a partial erasure
does it by itself once it commits, and the worker tries again until it is done:
`records.rekeying`). With no id, finish every re-key cut short (a key still being retired: the
process died, or the key store was out of reach half-way) and do every key operation still
pending now (a re-key after a partial erasure, the destruction of the key of a member erased
whole), without waiting for the worker's next try. Safe to run again, and beside the worker.
Each member re-keyed is audited (`records.key.replaced`: how many records, the key's version);
a pending operation that had failed before, when done (`records.rekey.completed`,
`records.keydestruction.completed`).
"""

from django.core.management.base import BaseCommand, CommandError

from core import envelope
from records.models import PendingKeyOperation
from records.rekeying import carry_out, pending
from records.sealing import finish_rekeys

Kind = PendingKeyOperation.Kind


class Command(BaseCommand):
    help = (
        "加入者のデータ鍵を新しい鍵に取り替え、記録を暗号化し直して古い鍵を廃棄します"
        "（ID を省くと、途中で止まった取替えと、保留中の鍵の取替え・破棄を完了します）。"
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
                operations = pending()
                for member_id, _kind in operations:
                    carry_out(member_id, pending_only=True)
                kinds = [kind for _member_id, kind in operations]
                self.stdout.write(
                    f"保留中の鍵の取替え {kinds.count(Kind.REKEY)} 件、"
                    f"破棄 {kinds.count(Kind.DESTROY)} 件を完了しました。"
                )
                return
            waiting = dict(pending())
            for member_id in members:
                count = carry_out(member_id)
                if waiting.get(member_id) == Kind.DESTROY:
                    # Erased whole: their key is destroyed, not replaced.
                    self.stdout.write(f"加入者 {member_id}：データ鍵を破棄しました。")
                    continue
                self.stdout.write(
                    f"加入者 {member_id}：記録 {count} 件を新しいデータ鍵で暗号化し直しました。"
                )
        except envelope.KeyUnavailable as refused:
            raise CommandError(str(refused)) from None
