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

from audit.checkpoint import generate_key
from audit.models import Event
from audit.tests.fixtures import append_events
from kumiai.restore import Server

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
    assert f"verified {EVENTS + 1} events" in said  # the events and the checkpoint's own
    assert f"checkpoint {checkpoints / 'first.json'} holds" in said
    assert f"audit_event {EVENTS + 1}→{EVENTS + 4}" in said
    assert said.rstrip().endswith(
        "判定: 合格 (PASS) — このバックアップから復元でき、監査証跡も検証できました。"
    )
    drilled = Event.objects.get(action="audit.restore.drilled")
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
    assert Event.objects.get(action="audit.restore.drilled").details["failed"] == ["restore"]


def test_the_drill_refuses_to_reuse_an_existing_database(tmp_path):
    dump = pg_dump(tmp_path / "kumiai.sql")
    with pytest.raises(CommandError, match="既にあります"):
        drill(dump, database="postgres")
