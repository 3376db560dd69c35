"""Planning an import: every row normalised and validated as the services validate it, and
matched by its source id to what is stored, so each becomes a row to create, an update of
a stored row, or unchanged. Nothing is written here (`writing` does it)."""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core import mynumber
from core.normalize import normalize_code, normalize_text, parse_date
from purposes.models import Category

from .. import payload_schemas
from ..models import Member, Record
from ..sealing import open_records
from ..services import MEMBER_FIELDS, normalize_member_fields
from .reading import MEMBER_COLUMNS, RECORD_COLUMNS
from .report import ImportReport

_RECORD_WRITTEN = ("member", "category", "date", "title", "payload")


def chunks(items: list, size: int = 5000) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _by_source_id(model, source_ids: Iterable[str]) -> dict:
    source_ids = sorted(set(source_ids))
    found = {}
    for chunk in chunks(source_ids):
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


MASKED = _(
    "個人番号（マイナンバー）と思われる12桁の番号を伏せて（*）取り込みます。当組合のこの"
    "システムでは個人番号を取り扱いません。連携元のデータから番号を削除してください。"
)


def _masked(report: ImportReport, row: int, column: str, value):
    """`value` with any 個人番号 masked, the cell noted in the report (core.mynumber)."""
    if not mynumber.contains(value):
        return value
    report.mask(row, column, MASKED)
    return mynumber.mask(value)


def _refuse_invalid(report: ImportReport, row: int, error: ValidationError) -> None:
    """The model's own messages, except for a field already refused (a date not read)."""
    for name, messages in error.message_dict.items():
        if name in report.refused_fields.get(row, ()):
            continue
        for message in messages:
            report.refuse(row, name, message)


@dataclass
class Plan:
    model: type[models.Model]
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


# Staff keep the registered address in the admin too: a file without its columns leaves the
# stored one as it is.
ADDRESS_FIELDS = ("postal_code", "address")


def plan_members(rows: list[tuple[int, dict]], report: ImportReport) -> Plan:
    given = set(rows[0][1]) if rows else set()
    plan = Plan(
        Member,
        tuple(f for f in MEMBER_FIELDS if f not in ADDRESS_FIELDS or given & set(ADDRESS_FIELDS)),
    )
    candidates: dict[str, tuple[int, Member, str]] = {}  # by source id
    keys: set[tuple[str, str, str]] = set()
    for row, cells in rows:
        member = _member_from(row, cells, report)
        source_id = member.source_id or ""
        insured_source_id = normalize_code(cells.get("insured_source_id", ""))
        if source_id in candidates:
            report.refuse(
                row, "source_id", _("連携元ID「%s」がファイル内で重複しています。") % source_id
            )
            continue
        key = (member.symbol, member.number, member.branch)
        if key in keys:
            report.refuse(row, "number", _("記号・番号・枝番がファイル内で重複しています。"))
        keys.add(key)
        candidates[source_id] = (row, member, insured_source_id)

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
        | {name: cells.get(name, "") for name in ("postal_code", "address")}
    )
    for name in ("birth_date", "acquired_on", "lost_on"):
        fields[name] = _date(report, row, cells, name, MEMBER_COLUMNS)
    for name in ("name", "name_kana", "employer", "address"):
        fields[name] = _masked(report, row, name, fields[name])
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
    for chunk in chunks(sorted({member.number for _row, member, _i in candidates})):
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


def plan_records(rows: list[tuple[int, dict]], report: ImportReport) -> Plan:
    plan = Plan(Record, _RECORD_WRITTEN)
    categories = {}
    for category in Category.objects.all():
        categories[category.code] = categories[category.name] = category
    members = {}
    numbers = sorted({normalize_code(cells["number"]) for _row, cells in rows})
    for chunk in chunks(numbers):
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
        source_id = record.source_id or ""
        if source_id in candidates:
            report.refuse(
                row, "source_id", _("連携元ID「%s」がファイル内で重複しています。") % source_id
            )
            continue
        candidates[source_id] = record
    existing = _by_source_id(Record, candidates)
    open_records(existing.values())  # compared below: opened with one key-store look-up
    for source_id, record in candidates.items():
        plan.add(record, existing.get(source_id))
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
    payload = _masked(report, row, "payload", payload)
    if category is not None:
        payload = payload_schemas.normalize_payload(category.code, payload)
        for problem in payload_schemas.problems(category.code, payload):
            report.refuse(row, f"payload.{problem.field}".rstrip("."), problem.message)
    if member_id is None or date is None:
        return None  # refused above
    record = Record(
        member_id=member_id,
        category=category,
        date=date,
        title=_masked(report, row, "title", normalize_text(cells["title"])),
        payload=payload,
        source_id=normalize_code(cells["source_id"]),
    )
    try:
        # Member and category are checked above against maps: their validation would query.
        record.clean_fields(exclude=("member", "category", "payload"))
    except ValidationError as error:
        _refuse_invalid(report, row, error)
    return record if report.error_count == errors_before else None
