"""Restoring a backup, and the drill that proves one restores: `manage.py restore_drill`.

A backup is a `pg_dump` of the database, plain SQL or custom format. The drill restores it
into a scratch database on the same server (created for the drill and dropped after it), and
checks what an operator restoring after a disk failure would need to be true:

- the restore itself ran to the end (`psql` is told to stop at the first error: by default
  it carries on and exits 0 with tables missing);
- every table of the source is there, each with the rows the backup holds;
- the tally of records per category agrees with the records (`compact_tallies --check`);
- every erasure in the erasure ledger that the backup predates is carried out again on the
  copy (`replay_erasures`), so that a restore brings no erased member back;
- the audit trail verifies on the copy (`verify_audit`), replays included, and against the
  latest signed checkpoint that the backup covers;

and says so in one verdict. The tools are PostgreSQL's own (`psql`, `pg_restore`), of the
server's major version, and the checks on the copy run as `manage.py` commands pointed at it,
so that they are exactly the commands an operator runs after a real restore.
"""

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.db import connection
from psycopg import sql

from records import keystore

CUSTOM, PLAIN = "custom", "plain"
# A custom-format archive starts with these bytes; anything else is read as SQL.
_CUSTOM_MAGIC = b"PGDMP"
_COPY = re.compile(r"^COPY (?:public\.)?\"?([A-Za-z0-9_]+)\"? \(")


class RestoreFailed(Exception):
    """A tool failed or a database could not be made; the message says what to do."""


@dataclass(frozen=True)
class Server:
    """How to reach the PostgreSQL server of Django's default database, as libpq names it."""

    host: str
    port: str
    user: str
    password: str
    source: str

    @classmethod
    def of_default(cls) -> "Server":
        if connection.vendor != "postgresql":
            raise RestoreFailed("復元訓練は PostgreSQL のデータベースでのみ行えます。")
        s = connection.settings_dict
        return cls(
            str(s["HOST"] or ""),
            str(s["PORT"] or ""),
            s["USER"] or "",
            s["PASSWORD"] or "",
            s["NAME"],
        )

    def env(self, database: str) -> dict[str, str]:
        """The environment for a tool or a `manage.py` command working on `database`."""
        auth = quote(self.user) + (":" + quote(self.password) if self.password else "")
        where = f"{self.host or 'localhost'}" + (f":{self.port}" if self.port else "")
        return {
            **os.environ,
            "PGHOST": self.host,
            "PGPORT": self.port,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": database,
            "DATABASE_URL": f"postgres://{auth}@{where}/{quote(database)}",
        }

    def connect(self, database: str) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host or None,
            port=self.port or None,
            user=self.user or None,
            password=self.password or None,
            dbname=database,
            autocommit=True,
        )


@dataclass
class Check:
    key: str  # for the trail, which takes identifiers only
    name: str
    passed: bool
    said: list[str] = field(default_factory=list)


def dump_format(dump: Path) -> str:
    with dump.open("rb") as file:
        return CUSTOM if file.read(len(_CUSTOM_MAGIC)) == _CUSTOM_MAGIC else PLAIN


@contextmanager
def scratch_database(server: Server, name: str | None) -> Iterator[str]:
    """A new, empty database for the drill, dropped afterwards. One that already exists is
    refused, never reused or dropped: the name might be someone's real database."""
    name = name or f"kumiai_drill_{uuid.uuid4().hex[:12]}"
    with server.connect("postgres") as admin:
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
        except psycopg.errors.DuplicateDatabase:
            raise RestoreFailed(
                f"データベース {name} は既にあります。訓練用には存在しない名前を指定してください。"
            ) from None
    try:
        yield name
    finally:
        with server.connect("postgres") as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def restore(server: Server, dump: Path, database: str) -> None:
    """Load `dump` into `database`, stopping at the first error, as a restore must."""
    if dump_format(dump) == CUSTOM:
        command = ["pg_restore", "--exit-on-error", "--no-owner", "-d", database, str(dump)]
    else:
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-f", str(dump)]
    done = _run(command, server.env(database))
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line or "error" in line]
        raise RestoreFailed(
            f"{command[0]} が失敗しました: {(errors or done.stderr.splitlines() or ['?'])[0]}"
        )


def dumped_rows(server: Server, dump: Path) -> dict[str, int]:
    """The rows each table holds in the backup: the lines of its COPY block."""
    if dump_format(dump) == CUSTOM:
        text = _run(["pg_restore", "--data-only", "-f", "-", str(dump)], server.env("postgres"))
        if text.returncode != 0:
            raise RestoreFailed(f"pg_restore がバックアップを読めません: {text.stderr.strip()}")
        lines = iter(text.stdout.splitlines())
    else:
        lines = iter(dump.read_text(encoding="utf-8").splitlines())
    counts = {}
    for line in lines:
        if match := _COPY.match(line):
            counts[match[1]] = _block(lines)
    return counts


def _block(lines: Iterator[str]) -> int:
    for count, line in enumerate(lines):
        if line == "\\.":
            return count
    raise RestoreFailed("バックアップの途中で COPY が終わっていません（ファイルが切れています）。")


def table_rows(server: Server, database: str) -> dict[str, int]:
    """The rows of every table of the schema in `database`, counted."""
    with server.connect(database) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT c.relname FROM pg_class c "
                "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') "
                "ORDER BY c.relname"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchall()[0][0]
            for table in tables
        }


def manage(server: Server, database: str, *arguments: str) -> subprocess.CompletedProcess:
    """`manage.py` with its arguments, run against `database` with this process's settings:
    the same secret (the ledger's digests are keyed with it), keys, key store and directories."""
    env = {
        **server.env(database),
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDIT_SIGNING_KEY": settings.AUDIT_SIGNING_KEY,
        "KUMIAI_CHECKPOINT_DIR": str(settings.AUDIT_CHECKPOINT_DIR),
        "KUMIAI_ERASURE_LEDGER_DIR": str(settings.ERASURE_LEDGER_DIR),
        # The key store is not restored with the main database: the copy reads the live one.
        "KEYSTORE_URL": keystore.url(),
        "KUMIAI_KEK": settings.KUMIAI_KEK,
        "KUMIAI_KEK_PREVIOUS": ",".join(settings.KUMIAI_KEK_PREVIOUS),
    }
    return _run([sys.executable, str(settings.BASE_DIR / "manage.py"), *arguments], env)


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    try:
        # The commands are ours; only the dump's path and database names are arguments.
        return subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise RestoreFailed(
            f"{command[0]} が見つかりません。PostgreSQL のクライアント（postgresql-client、"
            "サーバーと同じメジャーバージョン）を入れてください。"
        ) from None


def latest_checkpoint(up_to_seq: int) -> Path | None:
    """The newest checkpoint in `AUDIT_CHECKPOINT_DIR` that a trail ending at `up_to_seq`
    can answer for. A newer one saw events the backup was taken before: restoring it loses
    them, which the operator knows already, and checking it would only say so."""
    found = []
    for path in Path(settings.AUDIT_CHECKPOINT_DIR).glob("*.json"):
        try:
            seq = int(json.loads(path.read_text())["seq"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a checkpoint: verify_audit would name it if it were given
        if seq <= up_to_seq:
            found.append((seq, path))
    return max(found)[1] if found else None


def drill(dump: Path, *, database: str | None, checkpoint: Path | None) -> list[Check]:
    """Restore `dump` into a scratch database and check it; the checks, in order."""
    server = Server.of_default()
    expected = dumped_rows(server, dump)
    source = table_rows(server, server.source)
    checks = []
    with scratch_database(server, database) as scratch:
        try:
            restore(server, dump, scratch)
        except RestoreFailed as error:
            return [Check("restore", "復元", False, [str(error)])]
        checks.append(
            Check(
                "restore",
                "復元",
                True,
                [f"{dump_format(dump)} 形式のバックアップを最後まで読み込みました"],
            )
        )
        restored = table_rows(server, scratch)
        checks.append(_rows_check(expected, restored, source))
        tallied = manage(server, scratch, "compact_tallies", "--check")
        said = (tallied.stdout + tallied.stderr).strip().splitlines()
        checks.append(Check("tally", "記録の件数", tallied.returncode == 0, said))
        if "audit_event" not in restored:
            return [
                *checks,
                Check("trail", "監査証跡", False, ["監査証跡の表が復元されていません"]),
            ]
        with server.connect(scratch) as conn:
            ((last,),) = conn.execute("SELECT coalesce(max(seq), 0) FROM audit_event").fetchall()
        # Before the trail is verified: the replays append to it.
        replayed = manage(server, scratch, "replay_erasures")
        said = (replayed.stdout + replayed.stderr).strip().splitlines()
        checks.append(Check("erasures", "消去の再適用", replayed.returncode == 0, said))
        checkpoint = checkpoint or latest_checkpoint(last)
        arguments = ["verify_audit"] + (["--checkpoint", str(checkpoint)] if checkpoint else [])
        verified = manage(server, scratch, *arguments)
        said = (verified.stdout + verified.stderr).strip().splitlines()
        if checkpoint is None:
            said.append("照合するチェックポイントはありません（AUDIT_CHECKPOINT_DIR）")
        checks.append(Check("trail", "監査証跡", verified.returncode == 0, said))
    return checks


def _rows_check(expected: dict, restored: dict, source: dict) -> Check:
    missing = sorted(set(source) - set(restored))
    short = sorted(t for t, n in expected.items() if restored.get(t) != n)
    said = [f"{len(restored)} 表を復元（元のデータベースは {len(source)} 表）"]
    if missing:
        said.append("復元されなかった表: " + ", ".join(missing))
    if short:
        said.append(
            "バックアップと行数が合わない表: "
            + ", ".join(f"{t} {restored.get(t, 0)}/{expected[t]}" for t in short)
        )
    moved = sorted(t for t in restored if t in source and source[t] != restored[t])
    if moved:
        said.append(
            "バックアップ後に元のデータベースで行数が変わった表（参考）: "
            + ", ".join(f"{t} {restored[t]}→{source[t]}" for t in moved[:8])
            + (" ほか" if len(moved) > 8 else "")
        )
    return Check("rows", "表と行数", not missing and not short, said)
