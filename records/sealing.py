"""Records of the categories stored encrypted (`Category.encrypted_at_rest`: every 要配慮
category and the bank accounts) keep their title and payload sealed with the member's data
key (AES-256-GCM, `core.envelope`; the keys in `records.keystore`), in `Record.sealed`.

Written: `Record.save` seals (the import calls `seal_records` for its bulk writes). Read: a
record fetched with sealed bytes has no title or payload until they are opened, for a
whole page at once by the gate (`GatedQuerySet`, one look-up in the key store per page) or
for one record when first read (`Record.refresh_from_db`). A record whose key is gone
(the member erased, the key store lost) or cannot be reached opens as unreadable: its title
says so in Japanese, its payload is empty, `unreadable` says why, and it cannot be saved.

The associated data binds each sealed value to its member and category: the bytes moved to
another record's row do not open.

Re-keying (`rekey`, after a partial erasure): the member gets a new data key, their sealed
records are sealed again under it, and the old key is destroyed, so the erased records'
copies in every backup of the main database no longer open. Each sealed value names the
version of the key that sealed it (`envelope.key_version`), so the two keys stand side by
side until every live row has moved; the old key goes only after that commits. A re-key cut
short (the process dies, the key store is unreachable) leaves the old key in place, never a
row without its key; the worker tries it again until it is done (`records.rekeying`, which a
partial erasure goes through), and `manage.py rekey_members` finishes it by hand.
"""

import json
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.trail import Actor, append
from audit.vocabulary import Action
from core import envelope
from purposes.models import Category

from . import keystore
from .models import Member, Record

UNREADABLE_TITLE = _("（暗号化された記録：読めません）")
NO_KEY = _(
    "この記録は暗号化して保管されていますが、加入者のデータ鍵が鍵保管庫にないため読めません"
    "（加入者が消去されたか、鍵保管庫が失われました）。"
)


def _aad(record: Record) -> bytes:
    return b"kumiai-record:%d:%d" % (record.member_id, record.category_id)


def seal_records(records: Iterable[Record]) -> None:
    """Seal the title and payload of each record whose category is stored encrypted into
    `sealed`, emptying the two columns; clear `sealed` for the others. Creates a member's
    data key with their first sealed record. Raises `envelope.KeyUnavailable` (in Japanese)
    where the key store or the KEK cannot be used: nothing sensitive is then written."""
    records = list(records)
    encrypted = _encrypted_categories(records)
    sealing = [record for record in records if record.category_id in encrypted]
    for record in records:
        record.sealed = None
    members = {record.member_id for record in sealing}
    if members and transaction.get_connection().in_atomic_block:
        # A re-key of one of these members waits until this write commits, then moves it
        # over too: it is never left under a key that re-key destroys (`_finish`).
        for chunk in keystore.chunks(sorted(members)):
            list(Member.objects.select_for_update(no_key=True).filter(pk__in=chunk).values("pk"))
    keys = keystore.data_keys(members, create=True)
    for record in sealing:
        _seal(record, keys[record.member_id])


def _seal(record: Record, keys: keystore.MemberKeys) -> None:
    plain = json.dumps({"title": record.title, "payload": record.payload}, ensure_ascii=False)
    record.sealed = envelope.seal(
        keys.current, plain.encode(), aad=_aad(record), key_version=keys.version
    )
    record.title, record.payload = "", {}


def _encrypted_categories(records: list[Record]) -> set[int]:
    """The ids of the records' categories stored encrypted: a category fetched with its record
    as it is, the others in one query (not one per record)."""
    categories = {
        record.category_id: record.category
        for record in records
        if Record.category.is_cached(record)
    }
    wanted = {record.category_id for record in records} - categories.keys()
    categories |= {category.pk: category for category in Category.objects.filter(pk__in=wanted)}
    return {pk for pk, category in categories.items() if category.encrypted_at_rest}


def open_records(records: Iterable[Record]) -> None:
    """Open the sealed title and payload of each record fetched with them unopened, with one
    look-up in the key store for all of them; a record that cannot be opened is marked
    unreadable (see the module's docstring), never raising."""
    pending = [
        record
        for record in records
        if "title" not in record.__dict__ and record.__dict__.get("sealed") is not None
    ]
    if not pending:
        return
    try:
        keys = keystore.data_keys(record.member_id for record in pending)
    except envelope.KeyUnavailable as refused:
        for record in pending:
            _unreadable(record, str(refused))
        return
    for record in pending:
        sealed = record.__dict__["sealed"]
        member_keys = keys.get(record.member_id)
        key = member_keys.keys.get(envelope.key_version(sealed)) if member_keys else None
        if key is None:
            _unreadable(record, str(NO_KEY))
            continue
        try:
            plain = json.loads(envelope.open_sealed(key, sealed, aad=_aad(record)))
        except envelope.KeyUnavailable as refused:
            _unreadable(record, str(refused))
            continue
        record.__dict__["title"], record.__dict__["payload"] = plain["title"], plain["payload"]


def _unreadable(record: Record, why: str) -> None:
    record.__dict__["title"], record.__dict__["payload"] = str(UNREADABLE_TITLE), {}
    record.unreadable = why


def seal_stored(*, batch: int = 5000) -> int:
    """Seal every record of a category stored encrypted that is still held in clear (written
    by an older version, or by a bulk load such as the demo's COPY), a batch per transaction,
    written as the import writes (one UPDATE from a temporary table); how many."""
    from .importing.writing import update_rows

    encrypted = [c.pk for c in Category.objects.all() if c.encrypted_at_rest]
    fields = tuple(Record._meta.get_field(name) for name in ("title", "payload", "sealed"))
    count = last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Record.objects.select_for_update(of=("self",))
                .filter(category_id__in=encrypted, sealed__isnull=True, pk__gt=last)
                .select_related("category")
                .order_by("pk")[:batch]
            )
            if not rows:
                return count
            seal_records(rows)
            update_rows(Record, rows, fields)
        count, last = count + len(rows), rows[-1].pk


class RekeyUnderWay(envelope.KeyUnavailable):
    """Another re-key of the member is under way: its new key may predate the erasure this
    one is for, so this one is not done and is tried again (`records.rekeying`)."""


UNDER_WAY = _(
    "この加入者のデータ鍵の取替えが別に進行中です。終わってからもう一度実行してください。"
)


def rekey(member_id: int, *, by: Actor | None = None) -> int:
    """Give the member a new data key, seal their sealed records again under it and destroy
    the old one, so that the copies of their erased records in earlier backups of the main
    database no longer open (APPI Art. 35 after a partial erasure). The number of records
    sealed again. A re-key of theirs left unfinished is finished first. Run it outside a
    transaction: the old key goes as the records' move commits, and a failure to destroy it
    raises here."""
    _finish(member_id, by=by)
    if not keystore.rotate(member_id):
        if keystore.data_keys([member_id]):
            # A key still being retired: another run rotated between our finish and here.
            raise RekeyUnderWay(str(UNDER_WAY))
        return 0  # no key: nothing of theirs is sealed
    return _finish(member_id, by=by)


def finish_rekeys(*, by: Actor | None = None) -> list[int]:
    """Finish every re-key cut short (`rekey_members` with no ids): the members'."""
    members = keystore.retiring()
    for member_id in members:
        _finish(member_id, by=by)
    return members


def _finish(member_id: int, *, by: Actor | None) -> int:
    """Seal under the member's current key the records still sealed under the retiring one,
    then, once that has committed, destroy the retiring key. Records under neither (a
    restored copy whose key was destroyed since) are left as they are: they cannot open."""
    from audit.trail import SYSTEM

    member_keys = keystore.data_keys([member_id]).get(member_id)
    if member_keys is None or member_keys.retiring is None:
        return 0
    old = member_keys.retiring
    with transaction.atomic():
        # Writers lock the member (seal_records): none is between reading the keys and
        # committing a row under the old one while this runs.
        list(Member.objects.select_for_update().filter(pk=member_id).values("pk"))
        moving = [
            (record, record.sealed)
            for record in Record.objects.select_for_update()
            .filter(member_id=member_id, sealed__isnull=False)
            .order_by("pk")
            if record.sealed is not None and envelope.key_version(record.sealed) == old
        ]
        for record, sealed in moving:
            plain = json.loads(
                envelope.open_sealed(member_keys.keys[old], sealed, aad=_aad(record))
            )
            record.__dict__["title"], record.__dict__["payload"] = plain["title"], plain["payload"]
            _seal(record, member_keys)
        Record.objects.bulk_update([record for record, _old in moving], ["sealed"])
        append(
            action=Action.RECORDS_KEY_REPLACED,
            actor=by or SYSTEM,
            target_type=Member._meta.label_lower,
            target_id=member_id,
            details={"records": len(moving), "version": member_keys.version},
        )
        # Only once the records under the old key have moved for good.
        transaction.on_commit(lambda: keystore.retire(member_id, old))
    return len(moving)
