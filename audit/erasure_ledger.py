"""Signed lines kept outside the database, each appended when its transaction commits: the
erasure ledger (`KUMIAI_ERASURE_LEDGER_DIR`, beside the checkpoints).

Why outside: a backup restored after a loss brings back every member erased since it was
taken. The ledger survives the loss of the database, so each erasure it holds can be carried
out again on the restored copy (`replay_erasures`, `restore_drill`; the erasure code itself is
in `disclosure.erasure`).

What a line holds: ids, codes and keyed digests only, as the trail does (`validate_details`
refuses anything else), so the ledger is no copy of what it erased. Each line is signed with
the checkpoint key (`AUDIT_SIGNING_KEY`, Ed25519): a line someone wrote or altered to erase a
member who never asked, or to keep one from being erased again, does not verify, and is
refused and named by its line number.
"""

import base64
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import transaction

from .checkpoint import signed_bytes, signing_key
from .trail import PersonalValueRefused, validate_details

FORMAT = "kumiai-erasure/1"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Line:
    number: int
    entry: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    number: int
    reason: str


def path() -> Path:
    return Path(settings.ERASURE_LEDGER_DIR) / "erasures.jsonl"


def append_on_commit(entry: dict[str, Any]) -> None:
    """Sign `entry` now (a missing key or a personal value fails the caller's transaction) and
    append it to the ledger once that transaction commits (a rolled-back erasure leaves no
    line)."""
    validate_details(entry, "ledger")
    signed = {**entry, "format": FORMAT}
    signature = signing_key(settings.AUDIT_SIGNING_KEY).sign(signed_bytes(signed))
    line = json.dumps({**signed, "signature": base64.b64encode(signature).decode()})
    transaction.on_commit(lambda: _append(line))


def _append(line: str) -> None:
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # One write of one line with O_APPEND: lines from several processes never interleave.
        descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, (line + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError:
        # Committed already: the erasure stands, and the officer's page should say so. The
        # operator must add the line (the trail's member.erase event names the member).
        logger.exception("the erasure ledger could not be written: %s", target)


def read() -> tuple[list[Line], list[Refused]]:
    """The ledger's lines whose signature holds under the current key, and those refused."""
    try:
        text = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    public_key = signing_key(settings.AUDIT_SIGNING_KEY).public_key()
    lines, refused = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            signed = json.loads(raw)
            signature = base64.b64decode(signed.pop("signature"), validate=True)
            if signed.get("format") != FORMAT:
                raise ValueError(f"unknown format {signed.get('format')!r}")
            validate_details(signed, "ledger")
        except (ValueError, KeyError, TypeError, AttributeError, PersonalValueRefused) as error:
            refused.append(Refused(number, f"消去台帳の行として読めません ({error})"))
            continue
        try:
            public_key.verify(signature, signed_bytes(signed))
        except InvalidSignature:
            refused.append(
                Refused(number, "署名が内容と一致しません（書き換えまたは偽造された行）")
            )
            continue
        lines.append(Line(number, signed))
    return lines, refused
