"""`manage.py verify_audit [--independent] [--checkpoint FILE [--public-key PEMFILE]]`.

Prints `verified N events, head <hash>` and exits 0, or exits 1 naming the first event that
does not fit and why. `--independent` recomputes every hash in Python instead of in the
database (see `audit.verify` for why both exist). Reads only; the work is in `audit.verify`
and `audit.checkpoint`.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.checkpoint import CheckpointError, check_checkpoint
from audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, and optionally a signed checkpoint against it."

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", type=Path, help="a file from audit_checkpoint")
        parser.add_argument(
            "--public-key",
            type=Path,
            help="PEM file of the public key the checkpoint must be signed with",
        )
        parser.add_argument(
            "--independent",
            action="store_true",
            help="recompute the hashes here, in Python, trusting the database for the rows only",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=10_000, help="rows in memory at a time (Python)"
        )

    def handle(self, *args, checkpoint: Path | None, public_key: Path | None, **options):
        if public_key is not None and checkpoint is None:
            raise CommandError("--public-key pins the key of a checkpoint: give --checkpoint too")
        report = verify_chain(independent=options["independent"], chunk_size=options["chunk_size"])
        problems = [report.problem] if report.problem else []
        if checkpoint is not None:
            try:
                problem = check_checkpoint(
                    checkpoint=json.loads(_read(checkpoint)),
                    pinned_key_pem=_read(public_key) if public_key else None,
                )
            except (json.JSONDecodeError, CheckpointError) as error:
                raise CommandError(f"{checkpoint}: {error}") from error
            problems += [problem] if problem else []
        if problems:
            raise CommandError("\n".join(f"FAILED {problem}" for problem in problems))
        self.stdout.write(f"verified {report.count} events, head {report.head_hash}")
        if checkpoint is not None:
            self.stdout.write(f"checkpoint {checkpoint} holds")
            if public_key is None:
                self.stderr.write(
                    "warning: the checkpoint's key was not pinned (--public-key): its signature "
                    "proves only that the file is unaltered, not who signed it"
                )


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
