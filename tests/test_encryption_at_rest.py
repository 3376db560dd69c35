"""Issue 16 on PostgreSQL: a dump of the main database shows no sealed value, and an erasure
leaves the member's sealed values unreadable even in a backup taken before it.

Transactional: `pg_dump` sees only what is committed. Needs `pg_dump` and `psql` of the
server's version, as tests/test_restore.py.
"""

import json

import pytest

from disclosure.models import Kind
from disclosure.tests.conftest import NAME
from disclosure.tests.test_erasure import filed_for
from disclosure.tests.test_erasure_ledger import answer_in_gate
from kumiai.restore import Server, manage, restore, scratch_database
from records.models import Record
from records.tests.factories import EXAMPLE_PAYLOADS, MemberFactory, RecordFactory
from tests.test_restore import every_row, pg_dump

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("audit_transactional_db")]

# Values planted in receipts and a bank account: none may appear in a dump.
PLANTED = ["植込秘密クリニック", "9876543", "急性秘匿症候群", "極秘レセプト二〇二五"]

# What the restored copy's records read as, with the live key store (run in the copy).
READ_BACK = """
import json
from records.models import Record
print(json.dumps([[r.title, r.payload, r.unreadable] for r in Record.objects.order_by("pk")],
                 ensure_ascii=False))
"""


def test_rules_art7_a_dump_of_the_main_database_holds_no_receipt_in_clear(register, tmp_path):
    member = MemberFactory(name="平文太郎")
    RecordFactory(
        member=member,
        category=register["receipts"],
        title="極秘レセプト二〇二五",
        payload={
            **EXAMPLE_PAYLOADS["receipts"],
            "institution_name": "植込秘密クリニック",
            "diagnoses": ["急性秘匿症候群"],
        },
    )
    RecordFactory(
        member=member,
        category=register["bank-accounts"],
        title="振込口座",
        payload={**EXAMPLE_PAYLOADS["bank-accounts"], "account_number": "9876543"},
    )
    RecordFactory(member=member, category=register["eligibility"], title="資格取得の記録")

    for options in [(), ("-Fc", "-Z0")]:  # plain SQL, and the custom format uncompressed
        dump = pg_dump(tmp_path / f"kumiai{len(options)}.dump", *options).read_bytes()
        text = dump.decode("utf-8", errors="replace")
        assert [value for value in PLANTED if value in text] == []
        # What is not encrypted is there as before: the dump is a real one.
        assert "平文太郎" in text and "資格取得の記録" in text
        # And the keys are not in it: they live in the key store's own database.
        assert "records_datakey" not in text
    # The application reads them all the same.
    assert sorted(Record.objects.values_list("member__name", flat=True)) == ["平文太郎"] * 3
    assert {r.title for r in Record.objects.all()} >= {"極秘レセプト二〇二五", "振込口座"}


def test_an_erasure_leaves_the_sealed_values_unreadable_in_a_backup_taken_before_it(
    member,
    officer,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "private"
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    dump = pg_dump(tmp_path / "before-the-erasure.dump", "-Fc")
    answer_in_gate(request, member, officer)  # committed: the member's data key is destroyed

    server = Server.of_default()
    with scratch_database(server, None) as copy:
        restore(server, dump, copy)  # no replay yet: the backup as it was
        restored = every_row(server, copy)
        read = manage(server, copy, "shell", "-c", READ_BACK)
    assert read.returncode == 0, read.stderr
    records = json.loads(read.stdout.strip().splitlines()[-1])

    # The backup still names the member (the replay of the erasure ledger removes that) ...
    assert NAME in restored
    # ... but holds their sealed records, and nothing can open them any more.
    assert "消去健診センター" not in restored and "消去クリニック" not in restored
    assert len(records) == 2
    for title, payload, why in records:
        assert (title, payload) == ("（暗号化された記録：読めません）", {})
        assert "データ鍵が鍵保管庫にないため読めません" in why
