"""A backup restores, trail and all: `pg_dump` in both formats, then `restore_drill`.

Transactional: `pg_dump` sees only what is committed. The drill restores into a scratch
database of its own, runs `verify_audit` there and drops it.
"""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from psycopg import sql

from audit.checkpoint import generate_key
from audit.models import Event
from audit.tests.fixtures import append_events
from audit.vocabulary import Action
from core import envelope
from disclosure.erasure import dispose
from disclosure.models import Kind
from disclosure.tests.conftest import NAME
from disclosure.tests.test_erasure import ERASED, filed_for
from disclosure.tests.test_erasure_ledger import answer_in_gate
from kumiai.restore import Server, manage, restore, scratch_database, table_rows
from purposes.models import Category
from records import keystore, sealing
from records.models import Record
from records.tests.factories import EXAMPLE_PAYLOADS, RecordFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("audit_transactional_db")]

EVENTS = 12


def pg_dump(path: Path, *options: str) -> Path:
    server = Server.of_default()
    command = ["pg_dump", *options, "-f", str(path)]  # from PATH, as an operator runs it
    subprocess.run(command, env=server.env(server.source), check=True)
    return path


def drill(dump: Path, **options) -> str:
    out = StringIO()
    call_command("restore_drill", str(dump), stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def checkpoints(settings, tmp_path) -> Path:
    settings.AUDIT_SIGNING_KEY, _ = generate_key()
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_DIR.mkdir()
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.mark.parametrize("options", [(), ("-Fc",)], ids=["plain", "custom"])
def test_a_backup_restores_with_its_trail_verifying(options, checkpoints, tmp_path):
    append_events(EVENTS)
    call_command("audit_checkpoint", output=checkpoints / "first.json", stdout=StringIO())
    dump = pg_dump(tmp_path / "kumiai.dump", *options)
    append_events(2)  # after the backup: the drill says the source has moved on
    call_command("audit_checkpoint", output=checkpoints / "later.json", stdout=StringIO())

    said = drill(dump)

    assert "[合格] 復元" in said and "[合格] 表と行数" in said and "[合格] 監査証跡" in said
    assert "[合格] 記録の件数" in said
    # The events, the checkpoint's own, and the replay of the (empty) erasure ledger.
    assert f"verified {EVENTS + 2} events" in said
    assert "消去の再適用: 台帳 0 行、再適用 0 件" in said
    assert f"checkpoint {checkpoints / 'first.json'} holds" in said
    assert f"audit_event {EVENTS + 1}→{EVENTS + 4}" in said
    assert said.rstrip().endswith(
        "判定: 合格 (PASS) — このバックアップから復元でき、監査証跡も検証できました。"
    )
    drilled = Event.objects.get(action=Action.AUDIT_RESTORE_DRILLED)
    assert drilled.details == {
        "format": "custom" if options else "plain",
        "passed": True,
        "failed": [],
    }


def test_a_backup_whose_trail_does_not_restore_fails_the_drill(tmp_path):
    append_events(EVENTS)
    dump = pg_dump(tmp_path / "kumiai.sql")
    # As every backup was before migration 0008: the generated column's function found
    # its helper by a bare name, which a restore's empty search path does not find.
    text = dump.read_text()
    assert "convert_to(public.audit_event_canonical(" in text
    dump.write_text(text.replace("convert_to(public.", "convert_to("))

    out = StringIO()
    with pytest.raises(CommandError, match=r"^判定: 不合格 \(FAIL\) — 復元。"):
        call_command("restore_drill", str(dump), stdout=out)
    said = out.getvalue()
    assert "[不合格] 復元" in said
    assert "psql が失敗しました" in said and "audit_event_canonical" in said
    assert Event.objects.get(action=Action.AUDIT_RESTORE_DRILLED).details["failed"] == ["restore"]


def test_a_backup_whose_tally_disagrees_with_its_records_fails_the_drill(register, tmp_path):
    # A tally restored wrong (here: one receipt too many in the backup's own COPY block)
    # would make every whole-category count wrong on the restored system.
    receipts = register["receipts"]
    RecordFactory.create_batch(2, category=receipts, payload=EXAMPLE_PAYLOADS["receipts"])
    dump = pg_dump(tmp_path / "kumiai.sql")
    text = dump.read_text()
    block = text.split("COPY public.records_tally ", 1)[1].split("\\.", 1)[0]
    row = next(line for line in block.splitlines()[1:] if line.endswith(f"\t{receipts.pk}"))
    tally_id, rows, category = row.split("\t")
    dump.write_text(text.replace(row, f"{tally_id}\t{int(rows) + 1}\t{category}", 1))

    out = StringIO()
    with pytest.raises(CommandError, match=r"^判定: 不合格 \(FAIL\) — 記録の件数。"):
        call_command("restore_drill", str(dump), stdout=out)
    said = out.getvalue()
    assert "[不合格] 記録の件数" in said and "[合格] 表と行数" in said
    assert f"{receipts.name}: 件数 3、記録 2 件" in said
    assert "compact_tallies --recount で数え直せます" in said


def test_the_drill_refuses_to_reuse_an_existing_database(tmp_path):
    dump = pg_dump(tmp_path / "kumiai.sql")
    with pytest.raises(CommandError, match="既にあります"):
        drill(dump, database="postgres")


def every_row(server: Server, database: str) -> str:
    """Every row of every table of `database`, as COPY writes it."""
    chunks = []
    with server.connect(database) as conn:
        for table in table_rows(server, database):
            query = sql.SQL("COPY {} TO STDOUT").format(sql.Identifier(table))
            with conn.cursor().copy(query) as copy:
                chunks.extend(bytes(block).decode() for block in copy)
    return "\n".join(chunks)


def tally_and_count(server: Server, database: str) -> tuple[list, list]:
    """The tally of records per category (`records.models.Tally`), and their count."""
    with server.connect(database) as conn:
        tallied = conn.execute(
            "SELECT category_id, sum(rows) FROM records_tally GROUP BY 1 HAVING sum(rows) <> 0"
            " ORDER BY 1"
        ).fetchall()
        counted = conn.execute(
            "SELECT category_id, count(*) FROM records_record GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return tallied, counted


def test_a_restore_never_brings_an_erased_member_back(
    member, officer, checkpoints, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "private"
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    dump = pg_dump(tmp_path / "before-the-erasure.dump", "-Fc")
    answer_in_gate(request, member, officer)  # committed: its ledger line is written

    said = drill(dump)
    assert "[合格] 消去の再適用" in said and "再適用 1 件" in said
    assert "[合格] 監査証跡" in said

    # As an operator restores after a loss: the copy holds the member until the replay.
    server = Server.of_default()
    with scratch_database(server, None) as copy:
        restore(server, dump, copy)
        restored = every_row(server, copy)
        # The member's row is there; their health check is sealed (issue 16), in clear nowhere.
        assert NAME in restored and "消去健診センター" not in restored
        # The restore counted no record twice (the triggers come after the data), and the
        # replay's deletions are counted off.
        tallied, counted = tally_and_count(server, copy)
        assert tallied == counted and len(counted) == 2  # the health check and the receipt
        assert manage(server, copy, "replay_erasures").returncode == 0
        assert tally_and_count(server, copy) == ([], [])
        verified = manage(server, copy, "verify_audit")
        assert verified.returncode == 0, verified.stderr
        replayed = every_row(server, copy)
    assert [value for value in ERASED if value in replayed] == []
    assert "audit.erasure.replayed" in replayed


def test_art35_a_partial_erasure_leaves_the_erased_record_unreadable_in_an_earlier_backup(
    member, officer, checkpoints, tmp_path
):
    # Two sealed health checks (issue 16); the erasure takes one. The backup before it
    # holds both, sealed under the member's first data key.
    kept = RecordFactory(
        member=member,
        category=Category.objects.get(code="health-checks"),
        title="残す健診",
        payload={**EXAMPLE_PAYLOADS["health-checks"], "facility": "残存クリニック"},
    )
    erased = Record.objects.exclude(pk=kept.pk).get(member=member, category=kept.category)
    dump = pg_dump(tmp_path / "before-the-erasure.dump", "-Fc")

    dispose(member=member, records=[erased.pk], by=officer, reference="R-16")  # committed

    said = drill(dump)
    assert "[合格] 消去の再適用" in said and "再適用 1 件" in said, said
    assert "[合格] 監査証跡" in said
    # The backup's copy of the erased record, as the dump holds it, no longer opens with the
    # member's keys: their first key was destroyed with the re-key.
    server = Server.of_default()
    with scratch_database(server, None) as copy:
        restore(server, dump, copy)
        with server.connect(copy) as conn:
            (old,) = conn.execute(
                "SELECT sealed FROM records_record WHERE id = %s", [erased.pk]
            ).fetchone()
    assert envelope.key_version(old) == 1
    keys = keystore.data_keys([member.pk])[member.pk]
    assert list(keys.keys) == [2]
    with pytest.raises(envelope.KeyUnavailable):
        envelope.open_sealed(keys.current, old, aad=sealing._aad(erased))
    # The live system reads what stays.
    assert not Record.objects.filter(pk=erased.pk).exists()
    assert Record.objects.get(pk=kept.pk).payload["facility"] == "残存クリニック"
