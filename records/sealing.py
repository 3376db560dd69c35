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
"""

import json
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import envelope
from purposes.models import Category

from . import keystore
from .models import Record

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
    keys = keystore.data_keys((record.member_id for record in sealing), create=True)
    for record in sealing:
        plain = json.dumps({"title": record.title, "payload": record.payload}, ensure_ascii=False)
        record.sealed = envelope.seal(keys[record.member_id], plain.encode(), aad=_aad(record))
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
        key = keys.get(record.member_id)
        if key is None:
            _unreadable(record, str(NO_KEY))
            continue
        try:
            sealed = record.__dict__["sealed"]
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
