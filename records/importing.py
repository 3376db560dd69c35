"""Import members or records from a core system's CSV file: all rows or none.

One file holds one kind (`members` or `records`); the columns are documented in
`records/import_formats.md` and in `MEMBER_COLUMNS` / `RECORD_COLUMNS` below. Header
names may be the English column names or their Japanese labels, in any order.

Every row is normalised (NFKC, kana; `core.normalize`) and validated as the services
validate (`Member.clean`, the payload schema) before anything is written; if any row is
bad, the report lists each bad row (row, field, reason in Japanese) and nothing is
written. Rows are matched to what is stored by the source system's id (`source_id`), so
importing the same file again creates nothing: each row is counted as created, updated
or unchanged.

Writes are bulk operations in batches (bulk_create for new rows, a temporary table and one
UPDATE for changed ones: `_update`), in one transaction, and the whole import appends one
audit event (kind, counts, the file's SHA-256). Per-row events are deliberately not
written: a 100,000-row file would take 100,000 turns of the chain's head lock, and the
event for the batch plus the file's digest identify every row the import touched. The
import logs nothing personal: its report goes back to the uploader only.
"""

import codecs
import csv
import datetime
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import Actor, append
from core.normalize import normalize_code, normalize_text, parse_date
from purposes.models import Category

from . import payload_schemas
from .models import Member, Record
from .services import MEMBER_FIELDS, as_actor, normalize_member_fields

MEMBERS = "members"
RECORDS = "records"
KINDS = (MEMBERS, RECORDS)

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 1000

# Column name: (Japanese label, required).
MEMBER_COLUMNS = {
    "source_id": ("連携元ID", True),
    "symbol": ("記号", True),
    "number": ("番号", True),
    "branch": ("枝番", True),
    "name": ("氏名", True),
    "name_kana": ("フリガナ", True),
    "birth_date": ("生年月日", True),
    "sex": ("性別", True),
    "relationship": ("続柄", False),
    "insured_source_id": ("被保険者の連携元ID", False),
    "employer": ("事業所", False),
    "acquired_on": ("資格取得日", True),
    "lost_on": ("資格喪失日", False),
}
RECORD_COLUMNS = {
    "source_id": ("連携元ID", True),
    "symbol": ("記号", True),
    "number": ("番号", True),
    "branch": ("枝番", True),
    "category": ("類型", True),
    "date": ("日付", True),
    "title": ("件名", True),
    "payload": ("内容", True),
}
_RECORD_WRITTEN = ("member", "category", "date", "title", "payload")


@dataclass(frozen=True)
class RowError:
    row: int | None  # the line of the file, the header being row 1; None for the whole file
    field: str  # the column name (English), "payload.<item>" for an item of the payload
    reason: str


@dataclass
class ImportReport:
    kind: str
    sha256: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0  # all of them; `errors` keeps the first MAX_REPORTED_ERRORS
    refused_fields: dict = field(default_factory=dict, repr=False)  # row: {fields}

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def refuse(self, row: int | None, field: str, reason: str) -> None:
        self.error_count += 1
        self.refused_fields.setdefault(row, set()).add(field)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, field, reason))

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "dry_run": self.dry_run,
            "imported": self.ok and not self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [vars(error) for error in self.errors],
        }


def decode_csv(data: bytes) -> str | None:
    """The file's text: UTF-8 (with or without BOM) or Shift_JIS (CP932), as core systems in
    Japan export it; None for anything else (binary data, UTF-16)."""
    if b"\x00" in data:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    for encoding in ("utf-8", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def import_csv(
    *,
    data: bytes,
    kind: str,
    by: AbstractBaseUser | Actor,
    dry_run: bool = False,
    progress: Callable[[int], None] = lambda rows: None,
) -> ImportReport:
    """Validate every row of a CSV file of `kind` and, if all are good, write them all.

    Returns the report; bad input never raises. With `dry_run`, validates and counts what
    would be created, updated or unchanged, and writes nothing. `progress(n)` is told of
    every n rows read (the command's progress bar).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    report = ImportReport(kind=kind, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
    text = decode_csv(data)
    if text is None:
        report.refuse(
            None, "", _("CSVファイルとして読めません。UTF-8 か Shift_JIS で保存してください。")
        )
        return report
    columns = MEMBER_COLUMNS if kind == MEMBERS else RECORD_COLUMNS
    rows = list(_rows(text, columns, report, progress))
    report.rows = len(rows)
    if not report.ok:
        return report
    plan = _plan_members(rows, report) if kind == MEMBERS else _plan_records(rows, report)
    report.created, report.updated = len(plan.create), len(plan.update)
    report.unchanged = plan.unchanged
    if not report.ok or dry_run:
        return report
    with transaction.atomic():
        plan.write()
        append(
            action=f"{kind}.import",
            actor=as_actor(by),
            target_type=f"records.{kind}",
            details={
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
    return report


def _header_names(header: list[str], columns: dict, report: ImportReport) -> list[str | None]:
    """The column name of each header cell, given in English or in Japanese."""
    spellings = {}
    for name, (label, _required) in columns.items():
        spellings[name] = name
        spellings[label] = name
    names = [
        spellings.get(normalize_text(cell).lower()) or spellings.get(normalize_text(cell))
        for cell in header
    ]
    for cell, name in zip(header, names, strict=True):
        if name is None:
            report.refuse(
                1, normalize_text(cell), _("「%s」という列は使えません。") % normalize_text(cell)
            )
    for name, (label, required) in columns.items():
        if required and name not in names:
            report.refuse(
                1,
                name,
                _("列「%(label)s」（%(name)s）がありません。") % {"label": label, "name": name},
            )
    return names


def _rows(
    text: str, columns: dict, report: ImportReport, progress: Callable[[int], None]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column name: cell}) for each non-empty row, once the header is good."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            report.refuse(None, "", _("ファイルが空です。"))
            return
        names = _header_names(header, columns, report)
        if not report.ok:
            return
        for cells in reader:
            progress(1)
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                report.refuse(
                    reader.line_num,
                    "",
                    _("列の数が見出しと合いません（%(found)d列、見出しは%(expected)d列）。")
                    % {"found": len(cells), "expected": len(names)},
                )
                continue
            yield reader.line_num, dict(zip(names, (cell.strip() for cell in cells), strict=True))
    except csv.Error as error:
        report.refuse(reader.line_num or None, "", _("CSVとして読めません（%s）。") % error)


def _chunks(items: list, size: int = 5000) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _by_source_id(model, source_ids: Iterable[str]) -> dict:
    source_ids = sorted(set(source_ids))
    found = {}
    for chunk in _chunks(source_ids):
        found.update({obj.source_id: obj for obj in model.objects.filter(source_id__in=chunk)})
    return found


def _date(
    report: ImportReport, row: int, cells: dict, column: str, columns: dict
) -> datetime.date | None:
    value = cells.get(column, "")
    parsed = parse_date(value) if value else None
    if value and parsed is None:
        report.refuse(
            row, column, _("「%s」は日付（YYYY-MM-DD）で入力してください。") % columns[column][0]
        )
    return parsed


def _choice(value: str, choices) -> str | None:
    """A choice given by its value or its Japanese label (性別 1 or 男, 続柄 self or 本人)."""
    value = normalize_text(value)
    for choice in choices:
        if value in (choice.value, str(choice.label)):
            return choice.value
    return None


def _refuse_invalid(report: ImportReport, row: int, error: ValidationError) -> None:
    """The model's own messages, except for a field already refused (a date not read)."""
    for name, messages in error.message_dict.items():
        if name in report.refused_fields.get(row, ()):
            continue
        for message in messages:
            report.refuse(row, name, message)


@dataclass
class _Plan:
    model: type
    fields: tuple[str, ...]  # what the file sets, compared and updated
    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    unchanged: int = 0

    def add(self, candidate, existing) -> None:
        """Count `candidate` as created, unchanged, or an update of the stored `existing`."""
        if existing is None:
            self.create.append(candidate)
        elif [_value(candidate, name) for name in self.fields] == [
            _value(existing, name) for name in self.fields
        ]:
            self.unchanged += 1
        else:
            for name in self.fields:
                _copy(candidate, existing, name)
            self.update.append(existing)

    def write(self) -> None:
        rounds = [self.create]
        if self.model is Member:
            # Insured persons first: bulk_create gives them the ids their dependents need.
            rounds = [
                [member for member in self.create if member.insured is None],
                [member for member in self.create if member.insured is not None],
            ]
        for objs in rounds:
            self.model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        fields = [self.model._meta.get_field(name) for name in self.fields]
        auto_now = [f for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False)]
        now = timezone.now()  # what save() would set, once for the whole import
        for obj in self.update:
            for field_ in auto_now:
                setattr(obj, field_.attname, now)
        _update(self.model, self.update, (*fields, *auto_now))


def _update(model, objs: list, fields: tuple) -> None:
    """Write `fields` of the stored `objs`, matched by primary key: into a temporary table
    with the columns' own types, in batches, then one UPDATE ... FROM it.

    Django's bulk_update sets each field to a CASE with a WHEN for every row of its batch,
    which Django builds and resolves one expression at a time: writing 90,000 changed
    members took it 480-570 s, against 4 s to create 100,000 (bench/import_bench.py). An
    UPDATE from a VALUES list of each batch took 15 s, most of it binding and parsing the
    values; this takes 5 s. Its column types come from the table itself, so no value needs
    a cast, and the same statements run on PostgreSQL and SQLite (3.33 or later). The table
    is dropped before the import commits; if it rolls back, the table goes with it.
    """
    if not objs:
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = (pk, *fields)
    relations = [f for f in fields if f.is_relation]
    table, rows = quote(model._meta.db_table), quote(f"{model._meta.db_table}_import")
    names = ", ".join(quote(f.column) for f in columns)
    assignments = ", ".join(f"{quote(f.column)} = {rows}.{quote(f.column)}" for f in fields)
    placeholders = ", ".join(["%s"] * len(columns))
    # Names come from the model's fields; values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {rows} AS SELECT {names} FROM {table} WHERE 1 = 0"  # noqa: S608
        )
        for batch in _chunks(objs, BATCH_SIZE):
            for obj in batch:
                # As bulk_update: a related row created by this import got its id after it
                # was assigned (a dependent's new insured person); an unsaved one is refused.
                obj._prepare_related_fields_for_save(operation_name="import", fields=relations)
            cursor.executemany(
                f"INSERT INTO {rows} ({names}) VALUES ({placeholders})",  # noqa: S608
                [
                    [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
                    for obj in batch
                ],
            )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {rows} "  # noqa: S608
            f"WHERE {table}.{quote(pk.column)} = {rows}.{quote(pk.column)}"
        )
        cursor.execute(f"DROP TABLE {rows}")


def _value(obj, name: str):
    """A field's value for comparison, without a query: a related object by its id."""
    field_ = obj._meta.get_field(name)
    if not field_.is_relation:
        return getattr(obj, name)
    related = field_.get_cached_value(obj, default=None)
    if related is not None and related.pk is None:
        return related  # created by this import: differs from any stored id
    return getattr(obj, field_.attname)


def _copy(source, target, name: str) -> None:
    field_ = source._meta.get_field(name)
    if not field_.is_relation:
        setattr(target, name, getattr(source, name))
    elif (related := field_.get_cached_value(source, default=None)) is not None:
        setattr(target, name, related)
    else:
        setattr(target, field_.attname, getattr(source, field_.attname))


def _plan_members(rows: list[tuple[int, dict]], report: ImportReport) -> _Plan:
    plan = _Plan(Member, MEMBER_FIELDS)
    candidates: dict[str, tuple[int, Member, str]] = {}  # by source id
    keys: set[tuple[str, str, str]] = set()
    for row, cells in rows:
        member = _member_from(row, cells, report)
        insured_source_id = normalize_code(cells.get("insured_source_id", ""))
        if member.source_id in candidates:
            report.refuse(
                row,
                "source_id",
                _("連携元ID「%s」がファイル内で重複しています。") % member.source_id,
            )
            continue
        key = (member.symbol, member.number, member.branch)
        if key in keys:
            report.refuse(row, "number", _("記号・番号・枝番がファイル内で重複しています。"))
        keys.add(key)
        candidates[member.source_id] = (row, member, insured_source_id)

    stored = _by_source_id(Member, [*candidates, *(i for _r, _m, i in candidates.values() if i)])
    # What each source id will be once written: the stored row, or the new one.
    final = {**stored}
    final.update({sid: m for sid, (_r, m, _i) in candidates.items() if sid not in stored})
    for row, member, insured_source_id in candidates.values():
        if insured_source_id:
            member.insured = final.get(insured_source_id)
            if member.insured is None:
                report.refuse(
                    row,
                    "insured_source_id",
                    _("被保険者の連携元ID「%s」の加入者が見つかりません。") % insured_source_id,
                )
                continue
        try:
            member.clean_fields(exclude=("insured",))  # a foreign key would query per row
            member.clean()
        except ValidationError as error:
            _refuse_invalid(report, row, error)
    _refuse_taken_keys(candidates.values(), report)
    for _row, member, _insured in candidates.values():
        plan.add(member, stored.get(member.source_id))
    return plan


def _member_from(row: int, cells: dict, report: ImportReport) -> Member:
    fields = normalize_member_fields(
        {name: cells.get(name, "") for name in ("source_id", "symbol", "number", "branch")}
        | {name: cells.get(name, "") for name in ("name", "name_kana", "employer")}
    )
    for name in ("birth_date", "acquired_on", "lost_on"):
        fields[name] = _date(report, row, cells, name, MEMBER_COLUMNS)
    fields["sex"] = _choice(cells["sex"], Member.Sex)
    if fields["sex"] is None:
        report.refuse(row, "sex", _("「性別」は 1（男）か 2（女）にしてください。"))
    fields["relationship"] = _choice(cells.get("relationship") or "self", Member.Relationship)
    if fields["relationship"] is None:
        report.refuse(
            row,
            "relationship",
            _("「続柄」は次のいずれかにしてください: %s")
            % "、".join(str(label) for label in Member.Relationship.labels),
        )
    return Member(**fields)


def _refuse_taken_keys(candidates: Iterable[tuple[int, Member, str]], report: ImportReport):
    """Refuse a 記号・番号・枝番 that a stored member with another source id holds."""
    candidates = list(candidates)
    owners = {}
    for chunk in _chunks(sorted({member.number for _row, member, _i in candidates})):
        stored = Member.objects.filter(number__in=chunk)
        owners.update(
            {
                (s, n, b): sid
                for s, n, b, sid in stored.values_list("symbol", "number", "branch", "source_id")
            }
        )
    for row, member, _insured in candidates:
        key = (member.symbol, member.number, member.branch)
        if owners.get(key, member.source_id) != member.source_id:
            report.refuse(row, "number", _("この記号・番号・枝番は別の加入者に登録されています。"))


def _plan_records(rows: list[tuple[int, dict]], report: ImportReport) -> _Plan:
    plan = _Plan(Record, _RECORD_WRITTEN)
    categories = {}
    for category in Category.objects.all():
        categories[category.code] = categories[category.name] = category
    members = {}
    numbers = sorted({normalize_code(cells["number"]) for _row, cells in rows})
    for chunk in _chunks(numbers):
        stored = Member.objects.filter(number__in=chunk)
        members.update(
            {
                (s, n, b): pk
                for s, n, b, pk in stored.values_list("symbol", "number", "branch", "pk")
            }
        )
    candidates: dict[str, Record] = {}
    for row, cells in rows:
        record = _record_from(row, cells, report, categories=categories, members=members)
        if record is None:
            continue
        if record.source_id in candidates:
            report.refuse(
                row,
                "source_id",
                _("連携元ID「%s」がファイル内で重複しています。") % record.source_id,
            )
            continue
        candidates[record.source_id] = record
    stored = _by_source_id(Record, candidates)
    for record in candidates.values():
        plan.add(record, stored.get(record.source_id))
    return plan


def _record_from(
    row: int, cells: dict, report: ImportReport, *, categories: dict, members: dict
) -> Record | None:
    errors_before = report.error_count
    key = tuple(normalize_code(cells[name]) for name in ("symbol", "number", "branch"))
    member_id = members.get(key)
    if member_id is None:
        report.refuse(
            row,
            "number",
            _("記号・番号・枝番「%s」の加入者が登録されていません。") % "-".join(key),
        )
    category = categories.get(normalize_text(cells["category"]))
    if category is None:
        report.refuse(
            row,
            "category",
            _("類型「%s」は登録簿にありません。") % normalize_text(cells["category"]),
        )
    date = _date(report, row, cells, "date", RECORD_COLUMNS)
    if date is None and not cells["date"]:
        report.refuse(row, "date", _("「日付」を入力してください。"))
    try:
        payload = json.loads(cells["payload"]) if cells["payload"] else {}
    except ValueError:
        report.refuse(row, "payload", _("「内容」を JSON として読めません。"))
        return None
    if category is not None:
        payload = payload_schemas.normalize_payload(category.code, payload)
        for problem in payload_schemas.problems(category.code, payload):
            report.refuse(row, f"payload.{problem.field}".rstrip("."), problem.message)
    record = Record(
        member_id=member_id,
        category=category,
        date=date,
        title=normalize_text(cells["title"]),
        payload=payload,
        source_id=normalize_code(cells["source_id"]),
    )
    try:
        # Member and category are checked above against maps: their validation would query.
        record.clean_fields(exclude=("member", "category", "payload"))
    except ValidationError as error:
        _refuse_invalid(report, row, error)
    return record if report.error_count == errors_before else None
