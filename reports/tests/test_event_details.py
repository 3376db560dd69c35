"""The event list reads Japanese: each action by its label, its target by the model's name,
each item of its details as a Japanese key and a labelled value, in the page and its CSV."""

import re

import pytest
from django.utils import timezone

from audit.trail import SYSTEM, actor_for, append
from audit.vocabulary import Action
from reports.selectors.details import KEYS
from safeguards.scopes import grant_scope

from .conftest import period_query, table

pytestmark = pytest.mark.django_db

# What the app writes into details (grepped from every append): each has a Japanese name.
WRITTEN = {
    "surface", "members", "categories", "rows", "statutory", "ground", "reason", "desk",
    "filings", "report", "start", "end", "format", "invalid", "fields", "matched", "member",
    "category", "changes", "digests", "reference", "records", "kind", "legal_basis", "items",
    "sha256", "created", "updated", "unchanged", "dry_run", "imported", "error_count", "errors",
    "role", "schema", "tables", "sequences", "trail", "passed", "failed", "channel", "subject",
    "anonymous", "member_id", "request_id", "incident_id", "number", "method", "effective_on",
    "digest", "line", "request", "lines", "replayed", "absent", "refused", "redacted",
    "provisions", "documents", "letters", "packages", "days", "fee_yen", "answered", "area",
    "user", "version", "session", "source", "key", "from", "to", "noncompliant", "prefix",
    "exemptions", "notes", "permissions", "purposes", "safeguards", "events", "head_seq", "head",
    "problem", "problem_seq", "checkpoint_problem", "checkpoint_problem_seq",
    "checkpoint_pinned", "ms", "kinds", "for_request", "exceptional", "alternative_measures",
    "protected", "basis", "mail", "recipient", "condition",
    "page_digest", "duty",
}  # fmt: skip


def test_every_key_the_app_writes_has_a_japanese_name():
    assert KEYS.keys() >= WRITTEN
    assert all(re.search("[\u3040-\u30ff\u4e00-\u9fff]", str(name)) for name in KEYS.values())


def test_the_event_list_shows_labels_and_japanese_details_never_codes(
    as_auditor, handler_kenshin, privacy_officer, register
):
    append(
        action=Action.PURPOSES_REGISTER_LOADED,
        actor=SYSTEM,
        details={"categories": 3, "purposes": 14},
    )
    append(
        action=Action.RECORDS_ACCESS_REFUSED,
        actor=actor_for(handler_kenshin),
        purpose="",
        details={"surface": "admin", "reason": "purpose_missing"},
    )
    grant_scope(user=handler_kenshin, category=register["receipts"], by=privacy_officer)
    today = timezone.localdate()
    query = period_query(today, today)

    rows = table(as_auditor.get(f"/reports/events/?{query}"), "監査イベント")
    csv = as_auditor.get(f"/reports/events/?{query}&format=csv").content.decode("utf-8-sig")

    by_action = {row[3]: row for row in rows}
    loaded = by_action["利用目的の登録簿の読込み"]
    assert loaded[6] == "類型：3／利用目的：14"
    refused = by_action["個人データの閲覧の拒否"]
    assert refused[6] == "理由：利用目的の指定なし／経路：管理画面"
    granted = by_action["担当範囲の割当て"]
    assert granted[5] == f"個人情報の類型 {register['receipts'].pk}"
    assert granted[6] == "対象の職員：handler_kenshin"
    for text in ("\n".join("\t".join(row) for row in rows), csv):
        assert "purposes.register.loaded" not in text
        assert "purpose_missing" not in text
        assert "surface=" not in text
