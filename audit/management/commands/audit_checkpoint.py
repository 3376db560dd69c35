"""`manage.py audit_checkpoint [--output FILE]`: sign the trail's current head.

Refuses without `AUDIT_SIGNING_KEY`, and refuses to sign a chain that does not verify. The
checkpoint event and the file are made in one transaction. The work is in `audit.checkpoint`.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.checkpoint import CheckpointError, take_checkpoint
from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit trail, for the auditors to keep elsewhere."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args, output: Path | None, **options):
        # A checkpoint vouches for everything before it: signing a broken chain would bless it.
        report = verify_chain()
        if report.problem:
            raise CommandError(f"the trail does not verify, nothing signed: {report.problem}")
        try:
            with transaction.atomic():
                checkpoint = take_checkpoint(signing_key_pem=settings.AUDIT_SIGNING_KEY)
                text = json.dumps(checkpoint, indent=2) + "\n"
                if output is None:
                    self.stdout.write(text, ending="")
                else:
                    output.write_text(text)
        except CheckpointError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"cannot write {output}: {error.strerror}") from error
        if output is not None:
            self.stdout.write(f"checkpoint #{checkpoint['seq']} written to {output}")
