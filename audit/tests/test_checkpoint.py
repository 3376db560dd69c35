"""Signed checkpoints: written by `audit_checkpoint`, checked by `verify_audit --checkpoint`."""

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.checkpoint import generate_key, take_checkpoint
from audit.models import GENESIS_HASH, Event
from audit.tests.fixtures import append_events, triggers_off
from audit.trail import event_bytes
from audit.vocabulary import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_key(settings, tmp_path) -> Path:
    """The society's key in the environment; returns the auditors' copy of the public key."""
    settings.AUDIT_SIGNING_KEY, public_pem = generate_key()
    path = tmp_path / "auditors.pem"
    path.write_text(public_pem)
    return path


def checkpoint(path: Path) -> dict:
    call_command("audit_checkpoint", output=path, stdout=StringIO())
    return json.loads(path.read_text())


def verify(path: Path, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", checkpoint=path, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def verify_fails(path: Path, **options) -> str:
    with pytest.raises(CommandError) as failure:
        verify(path, **options)
    assert failure.value.returncode == 1
    return str(failure.value)


def rechain_from(seq: int) -> None:
    """Recompute every link and hash from `seq` on, as an intruder covering an edit would."""
    with triggers_off() as cursor:
        previous = Event.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
        for event in Event.objects.filter(seq__gte=seq).order_by("seq"):
            event.prev_hash = previous or GENESIS_HASH
            previous = hashlib.sha256(event_bytes(event)).hexdigest()
            cursor.execute(
                "UPDATE audit_event SET prev_hash = %s, hash = %s WHERE seq = %s",
                [event.prev_hash, previous, event.seq],
            )


def test_it_signs_the_head_including_its_own_event(public_key, tmp_path):
    append_events(3)
    saved = checkpoint(tmp_path / "cp.json")
    event = Event.objects.get(seq=4)
    assert (saved["seq"], saved["head"]) == (4, event.hash)
    assert event.action == Action.AUDIT_CHECKPOINT_WRITTEN
    assert saved["public_key"] == public_key.read_text()
    assert "PRIVATE" not in json.dumps(saved)


def test_it_prints_the_checkpoint_without_an_output_file(public_key):
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert json.loads(out.getvalue())["seq"] == 1


def test_it_refuses_without_a_signing_key(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="AUDIT_SIGNING_KEY is not set"):
        checkpoint(tmp_path / "cp.json")
    assert not Event.objects.exists()
    assert not (tmp_path / "cp.json").exists()


def test_it_refuses_a_signing_key_that_is_not_ed25519(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(CommandError, match="must be an Ed25519 key"):
        checkpoint(tmp_path / "cp.json")
    assert not Event.objects.exists()


def test_it_refuses_to_sign_a_trail_that_does_not_verify(public_key, tmp_path):
    append_events(3)
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_event SET action = 'x' WHERE seq = 2")
    with pytest.raises(CommandError, match="does not verify, nothing signed"):
        checkpoint(tmp_path / "cp.json")
    assert Event.objects.count() == 3


def test_it_verifies_a_trail_that_grew_after_its_checkpoint(public_key, tmp_path):
    append_events(2)
    checkpoint(tmp_path / "cp.json")
    *_, last = append_events(2)
    out, err = verify(tmp_path / "cp.json", public_key=public_key)
    assert out == f"verified 5 events, head {last.hash}\ncheckpoint {tmp_path / 'cp.json'} holds\n"
    assert err == ""


def test_it_says_when_the_key_was_not_pinned(public_key, tmp_path):
    checkpoint(tmp_path / "cp.json")
    _, err = verify(tmp_path / "cp.json")
    assert "the checkpoint's key was not pinned (--public-key)" in err


def test_it_detects_a_cut_off_tail(public_key, tmp_path):
    append_events(3)
    checkpoint(tmp_path / "cp.json")
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_event WHERE seq >= 3")
    assert verify_fails(tmp_path / "cp.json", public_key=public_key) == (
        "FAILED cut-off tail: the checkpoint saw event #4, but the trail ends at #2: "
        "events #3-#4 were cut off"
    )


def test_it_detects_a_history_rewritten_with_recomputed_hashes(public_key, tmp_path):
    append_events(3)
    saved = checkpoint(tmp_path / "cp.json")
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_event SET target_id = '999' WHERE seq = 2")
    rechain_from(2)
    assert verify_fails(tmp_path / "cp.json", public_key=public_key) == (
        f"FAILED rewritten history: event #4 has hash {Event.objects.get(seq=4).hash[:16]}…, "
        f"the checkpoint saw {saved['head'][:16]}…: the history up to #4 was rewritten"
    )


def test_it_refuses_a_checkpoint_altered_to_match_a_rewritten_history(public_key, tmp_path):
    append_events(3)
    saved = checkpoint(tmp_path / "cp.json")
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_event SET target_id = '999' WHERE seq = 2")
    rechain_from(2)
    saved["head"] = Event.objects.get(seq=4).hash
    (tmp_path / "cp.json").write_text(json.dumps(saved))
    assert verify_fails(tmp_path / "cp.json") == (
        "FAILED forged checkpoint: the signature does not match the checkpoint's content"
    )


def test_it_refuses_a_checkpoint_signed_by_another_key(public_key, settings, tmp_path):
    append_events(3)
    # The intruder rewrites the history and signs it with a key of their own.
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_event SET target_id = '999' WHERE seq = 2")
    rechain_from(2)
    intruder_key, _ = generate_key()
    forged = take_checkpoint(signing_key_pem=intruder_key)
    (tmp_path / "forged.json").write_text(json.dumps(forged))

    assert verify_fails(tmp_path / "forged.json", public_key=public_key).startswith(
        "FAILED forged checkpoint: signed by key "
    )


def test_it_refuses_a_file_that_is_not_a_checkpoint(tmp_path):
    (tmp_path / "cp.json").write_text('{"seq": 1}')
    assert verify_fails(tmp_path / "cp.json").startswith(
        "FAILED forged checkpoint: not a Kumiai audit checkpoint"
    )


def test_it_says_which_checkpoint_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*absent\.json"):
        verify(tmp_path / "absent.json")
