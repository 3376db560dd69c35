"""What an import tells the uploader: the counts, and each refused row with its reason."""

from dataclasses import dataclass, field

MAX_REPORTED_ERRORS = 1000


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
    # Cells in which a 個人番号 was masked (core.mynumber): the row is imported without it.
    masked: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def refuse(self, row: int | None, field: str, reason: str) -> None:
        self.error_count += 1
        self.refused_fields.setdefault(row, set()).add(field)
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row, field, reason))

    def mask(self, row: int, field: str, reason: str) -> None:
        if len(self.masked) < MAX_REPORTED_ERRORS:
            self.masked.append(RowError(row, field, reason))

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
            "masked": [vars(note) for note in self.masked],
        }
