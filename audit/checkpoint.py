"""Signed checkpoints of the audit trail, for the auditors to keep outside the system.

A checkpoint is the chain's last seq and head hash at a moment, signed with the society's
Ed25519 key. Whoever holds it can later prove that the trail still contains that event with
that hash (no rewritten history) and has not shrunk below it (no cut-off tail), which no check
inside the database can prove against someone able to switch its triggers off.

The private key stays in the environment (`AUDIT_SIGNING_KEY`); a checkpoint carries only
the public key, and verifying needs only that. Must never write the private key anywhere.
"""

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .models import Event
from .trail import SYSTEM, append
from .verify import Kind, Problem
from .vocabulary import Action

FORMAT = "kumiai-audit-checkpoint/1"


class CheckpointError(Exception):
    """A key or a checkpoint file that cannot be used; the message says what to fix."""


def generate_key() -> tuple[str, str]:
    """A new signing key: (private key PEM, PKCS#8) and (public key PEM)."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private_pem, _public_pem(key.public_key())


def take_checkpoint(*, signing_key_pem: str) -> dict[str, Any]:
    """Append an `audit.checkpoint` event and return a checkpoint of the chain up to it.

    Call it inside the transaction that also stores the checkpoint, so that neither the
    event nor the file exists without the other.
    """
    key = signing_key(signing_key_pem)
    public_key = key.public_key()
    event = append(
        action=Action.AUDIT_CHECKPOINT_WRITTEN,
        actor=SYSTEM,
        details={"key": fingerprint(public_key)},
    )
    signed = {
        "format": FORMAT,
        "seq": event.seq,
        "head": event.hash,
        "at": event.at.isoformat(timespec="microseconds"),
    }
    return {
        **signed,
        "public_key": _public_pem(public_key),
        "signature": base64.b64encode(key.sign(signed_bytes(signed))).decode(),
    }


def check_checkpoint(*, checkpoint: Any, pinned_key_pem: str | None) -> Problem | None:
    """Whether the trail still holds what `checkpoint` saw, signed by the expected key.

    With `pinned_key_pem` the signature must be by that key (the one the auditors hold);
    without it the key inside the checkpoint is used, which proves only that the file was
    not altered since someone signed it.
    """
    try:
        signed = {name: checkpoint[name] for name in ("format", "seq", "head", "at")}
        embedded_key = _public_key(checkpoint["public_key"])
        signature = base64.b64decode(checkpoint["signature"], validate=True)
        seq = int(signed["seq"])
    except (KeyError, TypeError, ValueError) as error:
        return Problem(Kind.FORGED, None, f"not a Kumiai audit checkpoint ({error})")
    if signed["format"] != FORMAT:
        return Problem(Kind.FORGED, None, f"unknown checkpoint format {signed['format']!r}")
    if pinned_key_pem is not None:
        try:
            pinned_key = _public_key(pinned_key_pem)
        except ValueError as error:
            raise CheckpointError(f"the pinned public key cannot be used: {error}") from error
        if fingerprint(pinned_key) != fingerprint(embedded_key):
            return Problem(
                Kind.FORGED,
                seq,
                f"signed by key {fingerprint(embedded_key)[:16]}, "
                f"not by the pinned key {fingerprint(pinned_key)[:16]}",
            )
    try:
        embedded_key.verify(signature, signed_bytes(signed))
    except InvalidSignature:
        return Problem(Kind.FORGED, seq, "the signature does not match the checkpoint's content")

    hash_at_seq = Event.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if hash_at_seq is None:
        last = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if last < seq:
            return Problem(
                Kind.CUT_OFF,
                seq,
                f"the checkpoint saw event #{seq}, but the trail ends at #{last}: "
                f"events #{last + 1}-#{seq} were cut off",
            )
        return Problem(Kind.MISSING, seq, f"event #{seq}, which the checkpoint saw, is missing")
    if hash_at_seq != signed["head"]:
        return Problem(
            Kind.REWRITTEN,
            seq,
            f"event #{seq} has hash {hash_at_seq[:16]}…, the checkpoint saw "
            f"{signed['head'][:16]}…: the history up to #{seq} was rewritten",
        )
    return None


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: how the trail and the messages name a key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def signed_bytes(signed: dict[str, Any]) -> bytes:
    """What a signature covers: the fields as compact JSON with sorted keys (the erasure
    ledger's lines are signed the same way, see `audit.erasure_ledger`)."""
    return json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()


def _public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def signing_key(pem: str) -> Ed25519PrivateKey:
    """The society's key from `AUDIT_SIGNING_KEY`; `CheckpointError` says what to fix."""
    if not pem.strip():
        raise CheckpointError(
            "AUDIT_SIGNING_KEY is not set: run `manage.py audit_keygen` and put the private key "
            "in the environment"
        )
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise CheckpointError(
            f"AUDIT_SIGNING_KEY is not a readable PEM private key ({error})"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError("AUDIT_SIGNING_KEY must be an Ed25519 key (see audit_keygen)")
    return key


def _public_key(pem: str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, AttributeError) as error:
        raise ValueError(f"not a PEM public key: {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key
