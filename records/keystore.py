"""The key store: each member's data key, wrapped by the key-encryption key, in a database of
its own (the alias `keys`, `KEYSTORE_URL`; see the settings).

A dump or backup of the main database holds the sealed records and no key; the key store
holds the keys and no record. Erasing a member destroys their key (`destroy`, once the erasure
commits, tried until it is done: `records.rekeying`), so their sealed values are unreadable in
every backup of the main database at once. The store
is backed up on its own, with a short retention (README, Operations), since each of its
backups still holds the keys of the members erased after it. A partial erasure gives the
member a new key and retires the old one (`rotate`, `retire`; `records.sealing.rekey`).

`KeyStoreRouter` sends `DataKey` there and nothing else, and migrates it only there.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import envelope

from .models import DataKey

ALIAS = "keys"


class KeyStoreRouter:
    """`DataKey` lives in the key store; every other model in the main database."""

    @staticmethod
    def _is_key(model) -> bool:
        # By app and model name: the database cache's stand-in model has no `label_lower`.
        meta = model._meta
        return (meta.app_label, meta.model_name) == ("records", "datakey")

    def db_for_read(self, model, **hints):
        return ALIAS if self._is_key(model) else None

    def db_for_write(self, model, **hints):
        return ALIAS if self._is_key(model) else None

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        is_key = app_label == "records" and model_name == "datakey"
        return is_key if db == ALIAS else not is_key


class KeyStoreUnavailable(envelope.KeyUnavailable):
    """The key store cannot be read or written (its database is gone or unreachable)."""


UNAVAILABLE = _(
    "鍵保管庫に接続できないため、暗号化して保管している記録（要配慮個人情報・口座情報）を"
    "読み書きできません。システム管理者に連絡してください。"
)


def _context(member_id: int, version: int = 1) -> bytes:
    # Version 1 as before versions existed: the keys wrapped then unwrap unchanged.
    if version == 1:
        return b"kumiai-member:%d" % member_id
    return b"kumiai-member:%d:v%d" % (member_id, version)


def chunks(ids: list[int], size: int = 2000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class _Wrapped(NamedTuple):
    """A member's row of the key store, as `data_keys` reads it: their keys, still wrapped."""

    member_id: int
    version: int
    kek_id: str
    wrapped: bytes
    retiring_version: int | None
    retiring_kek_id: str
    retiring_wrapped: bytes | None


def _rows(ids: list[int]) -> dict[int, _Wrapped]:
    # A plain statement on the key store's connection, as `audit.trail` appends: every gated
    # page of sealed records asks this, and the queryset cost twice the query itself (0.6 ms
    # against 0.2 ms for a page's 17 members). Its errors are the connection's
    # `DatabaseError`s, as the ORM's were.
    columns, table = ", ".join(_Wrapped._fields), DataKey._meta.db_table
    found: dict[int, _Wrapped] = {}
    with connections[ALIAS].cursor() as cursor:
        for chunk in chunks(ids):
            # The model's own names and a mark per id: no value is written into the text.
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {columns} FROM {table} WHERE member_id IN ({marks})"  # noqa: S608
            cursor.execute(sql, chunk)
            found.update((row[0], _Wrapped(*row)) for row in cursor.fetchall())
    return found


@dataclass(frozen=True)
class MemberKeys:
    """A member's data keys, unwrapped: the current one, which seals, and the one being
    retired after a partial erasure while their records move over (or none)."""

    version: int
    keys: dict[int, bytes]
    retiring: int | None = None

    @property
    def current(self) -> bytes:
        return self.keys[self.version]


def data_keys(member_ids: Iterable[int], *, create: bool = False) -> dict[int, MemberKeys]:
    """The data keys of `member_ids`, unwrapped; with `create`, a new key for each member who
    has none (a member's first sealed record). A member without a key is left out.

    Raises `KeyStoreUnavailable` where the store cannot be read, `envelope.KeyUnavailable`
    where the KEK is not set or does not fit.
    """
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    try:
        rows = _rows(ids)
        if create and (missing := [i for i in ids if i not in rows]):
            new = []
            for member_id in missing:
                kek_id, wrapped = envelope.wrap(
                    envelope.new_data_key(), context=_context(member_id)
                )
                new.append(DataKey(member_id=member_id, kek_id=kek_id, wrapped=wrapped))
            try:
                with transaction.atomic(using=ALIAS):
                    DataKey.objects.bulk_create(new)
            except IntegrityError:  # another writer made one meanwhile: theirs stands
                DataKey.objects.bulk_create(new, ignore_conflicts=True)
            rows.update(_rows(missing))
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None
    known = envelope.keks()
    return {member_id: _unwrapped(row, known) for member_id, row in rows.items()}


def _unwrapped(row: _Wrapped, known: dict[str, bytes]) -> MemberKeys:
    keys = {
        row.version: envelope.unwrap(
            row.kek_id, row.wrapped, context=_context(row.member_id, row.version), known=known
        )
    }
    if row.retiring_version is not None and row.retiring_wrapped is not None:
        keys[row.retiring_version] = envelope.unwrap(
            row.retiring_kek_id,
            row.retiring_wrapped,
            context=_context(row.member_id, row.retiring_version),
            known=known,
        )
    return MemberKeys(version=row.version, keys=keys, retiring=row.retiring_version)


def rotate(member_id: int) -> bool:
    """Give the member a new data key (the next version), keeping the current one as the
    retiring key until `retire`; False where the member has no key, or one is still being
    retired (finish that first: `records.sealing.rekey` does)."""
    try:
        with transaction.atomic(using=ALIAS):
            row = DataKey.objects.select_for_update().filter(member_id=member_id).first()
            if row is None or row.retiring_version is not None:
                return False
            version = row.version + 1
            kek_id, wrapped = envelope.wrap(
                envelope.new_data_key(), context=_context(member_id, version)
            )
            row.retiring_version, row.retiring_kek_id, row.retiring_wrapped = (
                row.version,
                row.kek_id,
                row.wrapped,
            )
            row.version, row.kek_id, row.wrapped = version, kek_id, wrapped
            row.save()
            return True
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None


def retire(member_id: int, version: int) -> None:
    """Destroy the member's retiring key `version`, once no record is sealed under it."""
    try:
        DataKey.objects.filter(member_id=member_id, retiring_version=version).update(
            retiring_version=None, retiring_kek_id="", retiring_wrapped=None
        )
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None


def retiring() -> list[int]:
    """The members with a key still being retired (a re-key cut short)."""
    try:
        return list(
            DataKey.objects.filter(retiring_version__isnull=False)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None


def destroy(member_ids: Iterable[int]) -> int:
    """Destroy the data keys of `member_ids`; how many there were (a key already gone is
    not there to destroy, and not an error)."""
    ids = sorted(set(member_ids))
    try:
        # Its own atomic block: a failure inside a transaction of the key store (a test's)
        # rolls back to here and leaves that transaction usable for the next try.
        with transaction.atomic(using=ALIAS):
            return sum(
                DataKey.objects.filter(member_id__in=chunk).delete()[0] for chunk in chunks(ids)
            )
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None


def rewrap() -> tuple[int, list[str]]:
    """Wrap every data key not yet under the current KEK again under it (`rotate_keys`):
    the number re-wrapped and the ids of the KEKs they were under. Sealed values stay as
    they are; a key whose KEK is no longer set raises `envelope.KeyUnavailable`."""
    current, _key = envelope.current_kek()
    known = envelope.keks()
    count, previous = 0, set()
    try:
        while True:
            with transaction.atomic(using=ALIAS):
                batch = list(
                    DataKey.objects.select_for_update()
                    .filter(
                        ~Q(kek_id=current)
                        | Q(retiring_version__isnull=False) & ~Q(retiring_kek_id=current)
                    )
                    .order_by("member_id")[:1000]
                )
                if not batch:
                    break
                now = timezone.now()
                for row in batch:
                    previous |= {row.kek_id, row.retiring_kek_id} - {current, ""}
                    row.kek_id, row.wrapped = _rewrapped(row, row.kek_id, row.wrapped, known)
                    if row.retiring_version is not None:
                        row.retiring_kek_id, row.retiring_wrapped = _rewrapped(
                            row, row.retiring_kek_id, row.retiring_wrapped, known, retiring=True
                        )
                    row.rewrapped_at = now
                DataKey.objects.bulk_update(
                    batch,
                    ["kek_id", "wrapped", "retiring_kek_id", "retiring_wrapped", "rewrapped_at"],
                )
                count += len(batch)
    except DatabaseError:
        raise KeyStoreUnavailable(str(UNAVAILABLE)) from None
    return count, sorted(previous)


def _rewrapped(row, kek_id, wrapped, known, *, retiring=False) -> tuple[str, bytes]:
    context = _context(row.member_id, row.retiring_version if retiring else row.version)
    key = envelope.unwrap(kek_id, wrapped, context=context, known=known)
    return envelope.wrap(key, context=context)


def url() -> str:
    """`KEYSTORE_URL` for a command run in another process on this key store (the restore
    drill's `replay_erasures` destroys the keys of the members it erases again here)."""
    s = connections[ALIAS].settings_dict
    if s["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    where = f"{s['HOST'] or 'localhost'}" + (f":{s['PORT']}" if s["PORT"] else "")
    return f"postgres://{auth}@{where}/{quote(s['NAME'])}"
