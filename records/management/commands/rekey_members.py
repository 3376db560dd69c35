"""`manage.py rekey_members [ID ...]`: give each member named a new data key, seal their sealed
records again under it and destroy the old one (`records.sealing.rekey`; a partial erasure
does it by itself once it commits). With no id, finish every re-key cut short (a key still
being retired: the process died, or the key store was out of reach half-way). Safe to run
again. Each member re-keyed is audited (`records.key.replaced`: how many records, the key's
version).
"""

from django.core.management.base import BaseCommand, CommandError

from core import envelope
from records.sealing import finish_rekeys, rekey


class Command(BaseCommand):
    help = (
        "加入者のデータ鍵を新しい鍵に取り替え、記録を暗号化し直して古い鍵を廃棄します"
        "（ID を省くと、途中で止まった取替えを完了します）。"
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
                return
            for member_id in members:
                count = rekey(member_id)
                self.stdout.write(
                    f"加入者 {member_id}：記録 {count} 件を新しいデータ鍵で暗号化し直しました。"
                )
        except envelope.KeyUnavailable as refused:
            raise CommandError(str(refused)) from None
