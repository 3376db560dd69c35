"""Import members or records from a core system's CSV file: all rows or none.

`import_csv` is the whole of it: `reading` turns the file into rows (its encoding, header
and cells), `planning` validates every row and decides what each becomes (the plan), and
`writing` writes the plan; `report` is what the uploader is told.

One file holds one kind (`members` or `records`); the columns are documented in
`records/import_formats.md` and in `MEMBER_COLUMNS` / `RECORD_COLUMNS` (`reading`). Header
names may be the English column names or their Japanese labels, in any order.

Every row is normalised (NFKC, kana; `core.normalize`) and validated as the services
validate (`Member.clean`, the payload schema) before anything is written; if any row is
bad, the report lists each bad row (row, field, reason in Japanese) and nothing is
written. Rows are matched to what is stored by the source system's id (`source_id`), so
importing the same file again creates nothing: each row is counted as created, updated
or unchanged.

Writes are bulk operations in batches (bulk_create for new rows, a temporary table and one
UPDATE for changed ones: `writing`), in one transaction, and the whole import appends one
audit event (kind, counts, the file's SHA-256). Per-row events are deliberately not
written: a 100,000-row file would take 100,000 turns of the chain's head lock, and the
event for the batch plus the file's digest identify every row the import touched. The
import logs nothing personal: its report goes back to the uploader only.
"""

import hashlib
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import Actor, actor_for, append
from audit.vocabulary import Action
from core.envelope import KeyUnavailable

from . import writing
from .planning import plan_members, plan_records
from .reading import KINDS, MEMBER_COLUMNS, MEMBERS, RECORD_COLUMNS, RECORDS, decode_csv, read_rows
from .report import ImportReport

__all__ = ["KINDS", "MEMBERS", "RECORDS", "ImportReport", "import_csv"]

IMPORTED = {MEMBERS: Action.RECORDS_MEMBER_IMPORTED, RECORDS: Action.RECORDS_RECORD_IMPORTED}


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
    rows = list(read_rows(text, columns, report, progress))
    report.rows = len(rows)
    if not report.ok:
        return report
    plan = plan_members(rows, report) if kind == MEMBERS else plan_records(rows, report)
    report.created, report.updated = len(plan.create), len(plan.update)
    report.unchanged = plan.unchanged
    if not report.ok or dry_run:
        return report
    try:
        _write(plan, report, kind, by)
    except KeyUnavailable as refused:  # the key store or the KEK: nothing was written
        report.refuse(None, "", str(refused))
    return report


def _write(plan, report: ImportReport, kind: str, by) -> None:
    with transaction.atomic():
        writing.write(plan)
        append(
            action=IMPORTED[kind],
            actor=actor_for(by),
            target_type=f"records.{kind}",
            details={
                "sha256": report.sha256,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "masked": len(report.masked),
            },
        )
