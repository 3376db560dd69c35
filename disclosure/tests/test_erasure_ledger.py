"""The erasure ledger, and replaying it on a database that a restore brought back.

A restore of a backup taken before the erasure is played here by the erasure's own
transaction rolling back once its ledger line is written: the database then holds the
member as the backup did, and the ledger holds the erasure. The round trip through
`pg_dump` itself is in `tests/test_restore.py`.
"""

import base64
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit import erasure_ledger
from audit.checkpoint import generate_key, signed_bytes, signing_key
from audit.models import Event
from audit.verify import verify_chain
from audit.vocabulary import Action
from disclosure.models import Kind, Request
from records import gate
from records.models import Member, Record

from .test_erasure import ERASED, NO_LONGER_NEEDED, answer, dumpdata, filed_for, table_dump

pytestmark = pytest.mark.django_db


class Lost(Exception):
    """The disk failed after the erasure: the database is back as the last backup had it."""


def erase_then_restore(member, officer, django_capture_on_commit_callbacks) -> Request:
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(Lost), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            answer_in_gate(request, member, officer)
        assert not Member.objects.filter(pk=member.pk).exists()
        raise Lost
    assert Member.objects.filter(pk=member.pk).exists()  # back, as in the backup
    return request


def answer_in_gate(request, member, officer) -> None:
    with gate.ledger():
        answer(
            request,
            member,
            officer,
            [
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                }
            ],
        )


def replay_erasures() -> str:
    out = StringIO()
    call_command("replay_erasures", stdout=out)
    return out.getvalue()


def test_the_ledger_holds_ids_and_digests_only(member, officer, django_capture_on_commit_callbacks):
    request = erase_then_restore(member, officer, django_capture_on_commit_callbacks)
    text = erasure_ledger.path().read_text()
    assert [value for value in ERASED if value in text] == []
    (entry,) = [json.loads(line) for line in text.splitlines()]
    assert set(entry) == {
        "format",
        "at",
        "request",
        "reference",
        "member",
        "member_digest",
        "confirmed",
        "categories",
        "records",
        "signature",
    }
    assert (entry["member"], entry["request"], entry["categories"]) == (member.pk, request.pk, None)
    assert sorted(entry["records"]) == sorted(
        Record.objects.filter(member=member).values_list("pk", flat=True)
    )


def test_a_rolled_back_erasure_leaves_no_line(member, officer, django_capture_on_commit_callbacks):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(Lost), transaction.atomic():
        answer_in_gate(request, member, officer)
        raise Lost
    assert not erasure_ledger.path().exists()


def test_an_erasure_is_refused_without_the_signing_key(member, officer, settings):
    settings.AUDIT_SIGNING_KEY = ""
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with pytest.raises(ValidationError, match="AUDIT_SIGNING_KEY"):
        answer_in_gate(request, member, officer)


def test_a_restored_member_is_erased_again_and_stays_erased(
    member, officer, django_capture_on_commit_callbacks
):
    erase_then_restore(member, officer, django_capture_on_commit_callbacks)
    assert ERASED[0] in dumpdata() + table_dump()  # the member is back (their name)

    said = replay_erasures()

    assert "再適用 1 件" in said
    assert not Member.objects.filter(pk=member.pk).exists()
    dumped = dumpdata() + table_dump()
    assert [value for value in ERASED if value in dumped] == []
    (replayed,) = Event.objects.filter(action=Action.AUDIT_ERASURE_REPLAYED)
    assert (replayed.actor_kind, replayed.target_id) == ("system", str(member.pk))
    run = Event.objects.get(action=Action.AUDIT_LEDGER_REPLAYED)
    assert run.details == {"lines": 1, "replayed": 1, "absent": 0, "refused": [], "failed": []}
    assert verify_chain().problem is None
    assert "再適用 0 件、復元したデータに残っていなかったもの 1 件" in replay_erasures()


def _rewrite_line(change) -> None:
    path = erasure_ledger.path()
    entry = json.loads(path.read_text())
    change(entry)
    path.write_text(json.dumps(entry) + "\n")


def _forged(entry: dict) -> None:
    """Signed, but with a key that is not the society's."""
    del entry["signature"]
    key = signing_key(generate_key()[0])
    entry["signature"] = base64.b64encode(key.sign(signed_bytes(entry))).decode()


@pytest.mark.parametrize(
    "change",
    [lambda entry: entry.update(member=entry["member"] + 1), _forged],
    ids=["altered", "forged"],
)
def test_an_altered_or_forged_line_is_refused_and_named(
    change, member, officer, django_capture_on_commit_callbacks
):
    erase_then_restore(member, officer, django_capture_on_commit_callbacks)
    _rewrite_line(change)
    with pytest.raises(CommandError, match=r"^台帳 1 行目を拒否: 署名が内容と一致しません"):
        replay_erasures()
    assert Member.objects.filter(pk=member.pk).exists()
    assert not Event.objects.filter(action=Action.AUDIT_ERASURE_REPLAYED).exists()
    assert Event.objects.get(action=Action.AUDIT_LEDGER_REPLAYED).details["refused"] == [1]
