"""`manage.py rotate_keys`: wrap every member's data key again under the current key-encryption
key (`KUMIAI_KEK`), the previous one still listed in `KUMIAI_KEK_PREVIOUS` (records.keystore).

Only the data keys change: no sealed record is read or written. Safe to run again (a key
already under the current KEK is left alone) and to stop half-way (each batch of 1,000 keys
commits on its own). Audited (`records.keys.rewrapped`: how many, and the KEKs' ids).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from core import envelope
from records import keystore


class Command(BaseCommand):
    help = "データ鍵を現在の鍵暗号化鍵（KUMIAI_KEK）で包み直します（記録は読み書きしません）。"

    def handle(self, *args, **options):
        try:
            count, previous = keystore.rewrap()
            current, _key = envelope.current_kek()
        except envelope.KeyUnavailable as refused:
            raise CommandError(str(refused)) from None
        with transaction.atomic():
            append(
                action=Action.RECORDS_KEYS_REWRAPPED,
                actor=SYSTEM,
                details={"keys": count, "kek": current, "previous": previous},
            )
        self.stdout.write(
            f"データ鍵 {count} 件を鍵暗号化鍵 {current} で包み直しました"
            + (f"（以前の鍵: {', '.join(previous)}）。" if previous else "。")
            + "以前の鍵は KUMIAI_KEK_PREVIOUS から外してかまいません。"
        )
