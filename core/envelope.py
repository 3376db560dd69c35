"""Envelope encryption: data sealed with a data key (AES-256-GCM), each data key wrapped by a
key-encryption key (KEK) that lives only in the environment.

Domain-neutral: the caller says what a data key belongs to (`context`, bound into each
wrap as associated data, so a wrapped key moved to another owner does not unwrap) and what a
sealed value is about (`aad`). Where the data keys are kept is the caller's (records keeps
them in a database of their own, `records.keystore`).

The KEK is 32 random bytes, base64 in `KUMIAI_KEK`. Rotating it re-wraps the data keys only:
with the new key in `KUMIAI_KEK` and the old one still listed in `KUMIAI_KEK_PREVIOUS`,
every data key unwraps under the key its row names (`kek_id`) and is wrapped again under the
new one; no sealed value changes.

A data key may be replaced (a new one for the same owner, the values sealed again under it):
each sealed value names the version of the key that sealed it (`key_version`), so that old
and new keys can stand side by side while the values move over. Version 1 seals as the
first format did, so values sealed before versions existed read as version 1.
"""

import base64
import binascii
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext as _

NONCE = 12
VERSION = b"\x01"  # the first byte of every wrapped key, and of a value sealed by version 1
VERSIONED = b"\x02"  # a value sealed by a later key version: then 4 bytes of that version


class KeyUnavailable(Exception):
    """A key that cannot be had or used; the message says so in Japanese."""


def generate_kek() -> str:
    """A new key-encryption key, as `KUMIAI_KEK` takes it (base64 of 32 random bytes)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise KeyUnavailable(
            _(
                "鍵暗号化鍵（KUMIAI_KEK）の形式が正しくありません（32バイトの乱数を base64 で"
                "指定します）。システム管理者に連絡してください。"
            )
        )
    return key


def kek_id(key: bytes) -> str:
    """Names a KEK without revealing it: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(b"kumiai-kek:" + key).hexdigest()[:16]


def current_kek() -> tuple[str, bytes]:
    """(id, key) of the KEK that wraps new data keys; `KeyUnavailable` where none is set."""
    text = getattr(settings, "KUMIAI_KEK", "")
    if not text:
        raise KeyUnavailable(
            _(
                "鍵暗号化鍵（KUMIAI_KEK）が設定されていないため、要配慮個人情報を暗号化・復号"
                "できません。システム管理者に連絡してください。"
            )
        )
    key = _decode(text)
    return kek_id(key), key


def keks() -> dict[str, bytes]:
    """Every KEK that may unwrap a data key: the current one and `KUMIAI_KEK_PREVIOUS`."""
    found = {}
    for text in [
        getattr(settings, "KUMIAI_KEK", ""),
        *getattr(settings, "KUMIAI_KEK_PREVIOUS", []),
    ]:
        if text:
            key = _decode(text)
            found[kek_id(key)] = key
    return found


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap(data_key: bytes, *, context: bytes) -> tuple[str, bytes]:
    """`data_key` wrapped by the current KEK for `context`: (the KEK's id, the wrapped key)."""
    identifier, kek = current_kek()
    nonce = os.urandom(NONCE)
    return identifier, VERSION + nonce + AESGCM(kek).encrypt(nonce, data_key, context)


def unwrap(
    identifier: str, wrapped: bytes | memoryview, *, context: bytes, known: dict | None = None
) -> bytes:
    """The data key `wrap` wrapped; `KeyUnavailable` where its KEK is not set or it fails."""
    kek = (keks() if known is None else known).get(identifier)
    if kek is None:
        raise KeyUnavailable(
            _(
                "データ鍵を包んだ鍵暗号化鍵（%(id)s）が設定にありません。鍵の更新中であれば、"
                "以前の鍵を KUMIAI_KEK_PREVIOUS に残してください。"
            )
            % {"id": identifier}
        )
    return _open(kek, bytes(wrapped), context)


def seal(data_key: bytes, plaintext: bytes, *, aad: bytes, key_version: int = 1) -> bytes:
    """`plaintext` sealed with `data_key`, the key's version in the clear header (and bound
    into the associated data with it)."""
    nonce = os.urandom(NONCE)
    if key_version == 1:
        return VERSION + nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)
    header = VERSIONED + key_version.to_bytes(4, "big")
    return header + nonce + AESGCM(data_key).encrypt(nonce, plaintext, header + aad)


def key_version(sealed: bytes | memoryview) -> int:
    """The version of the data key that sealed `sealed` (read from its header)."""
    head = bytes(sealed[:5])
    if head[:1] == VERSIONED and len(head) == 5:
        return int.from_bytes(head[1:], "big")
    return 1


def open_sealed(data_key: bytes, sealed: bytes | memoryview, *, aad: bytes) -> bytes:
    """The plaintext `seal` sealed; `KeyUnavailable` where the key or the bytes do not fit."""
    sealed = bytes(sealed)
    if sealed[:1] == VERSIONED:
        header, sealed = sealed[:5], VERSION + sealed[5:]
        return _open(data_key, sealed, header + aad)
    return _open(data_key, sealed, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if sealed[:1] != VERSION or len(sealed) < 1 + NONCE + 16:
        raise KeyUnavailable(_("暗号化されたデータの形式が正しくありません。"))
    try:
        return AESGCM(key).decrypt(sealed[1 : 1 + NONCE], sealed[1 + NONCE :], aad)
    except InvalidTag:
        raise KeyUnavailable(_("鍵が合わないため、暗号化されたデータを復号できません。")) from None
