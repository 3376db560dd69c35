"""`manage.py replay_erasures`: after a restore, erase again whoever the backup brings back.

Reads the erasure ledger (`KUMIAI_ERASURE_LEDGER_DIR`, `audit.erasure_ledger`), refuses and
names every line whose signature does not hold, and carries out again, through
`disclosure.erasure.replay`, each erasure whose member data the restored database still
holds; each replay is audited (`audit.erasure.replayed`), and so is the run
(`audit.ledger.replayed`). Run it on the restored database before it serves anyone; running
it again changes nothing. Exits 1 if a line was refused or an erasure could not be replayed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit import erasure_ledger
from audit.checkpoint import CheckpointError
from audit.trail import SYSTEM, append
from audit.vocabulary import Action
from disclosure.erasure import replay


class Command(BaseCommand):
    help = "消去台帳にある消去を、復元したデータベースにもう一度適用します。"

    def handle(self, *args, **options):
        try:
            lines, refused = erasure_ledger.read()
        except CheckpointError as error:
            raise CommandError(f"消去台帳の署名を確かめられません: {error}") from error
        problems = [f"台帳 {r.number} 行目を拒否: {r.reason}" for r in refused]
        replayed = absent = 0
        failed = []
        for line in lines:
            try:
                erased = replay(line.entry, line=line.number)
            except ValidationError as error:
                failed.append(line.number)
                problems.append(f"台帳 {line.number} 行目を再適用できません: {error.messages[0]}")
                continue
            if erased is None:
                absent += 1
            else:
                replayed += 1
                self.stdout.write(
                    f"台帳 {line.number} 行目 ({line.entry['reference']}) を再適用: "
                    f"加入者 ID {line.entry['member']}、記録 {erased} 件"
                )
        self.stdout.write(
            f"消去の再適用: 台帳 {len(lines) + len(refused)} 行、再適用 {replayed} 件、"
            f"復元したデータに残っていなかったもの {absent} 件"
        )
        # The run itself, whatever it found: the restored trail shows the ledger was read.
        with transaction.atomic():
            append(
                action=Action.AUDIT_LEDGER_REPLAYED,
                actor=SYSTEM,
                details={
                    "lines": len(lines) + len(refused),
                    "replayed": replayed,
                    "absent": absent,
                    "refused": [r.number for r in refused],
                    "failed": failed,
                },
            )
        if problems:
            raise CommandError("\n".join(problems))
