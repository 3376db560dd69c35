"""Benchmark of the CSV import of members on PostgreSQL, at a society's scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/import_bench.py --members 100000

Creates the database `kumiai_import_bench` on that server, migrates it, and imports three
members files through `manage.py import_records --kind members`, the command's own code
path, one after the other:

(1) the society's `--members` members, in households (an insured person, a spouse,
    children), into the empty table: every row created. This is the baseline;
(2) the same members after a mass change, as when the core system renumbers 事業所: nine
    households in ten move to another 記号, and their insured person's 事業所 is renamed
    (one or two fields changed on 90% of the rows): those rows updated, the rest unchanged;
(3) the second file again: every row unchanged.

For each it prints the seconds and rows per second, the seconds spent writing
(`records.importing.writing.write`: inserts or updates; the rest is reading, normalising,
validating and matching the file against what is stored), and its time against the create
import's of the same run. The counts each import reports are checked against what the files hold.
Drops the database afterwards.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path
from unittest import mock

from _database import bench_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings.test")

DATABASE = "kumiai_import_bench"
COLUMNS = (
    "連携元ID",
    "記号",
    "番号",
    "枝番",
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    "続柄",
    "被保険者の連携元ID",
    "事業所",
    "資格取得日",
    "資格喪失日",
)
EMPLOYERS = ("本社", "大阪支社", "名古屋支店", "福岡支店", "札幌営業所", "仙台営業所", "広島工場")
LAST_NAMES = (
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
)
FIRST_NAMES = (
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("陽子", "ヨウコ"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
    ("健一", "ケンイチ"),
    ("由美", "ユミ"),
)
CHANGED_SHARE = 0.9  # of households, in the mass change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()

    load = os.getloadavg()
    with bench_database(DATABASE):
        _print(args.members, _run(args.members), load)


def _run(members: int) -> list[tuple]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    call_command("migrate", database="keys", verbosity=0)  # the key store
    households = _households(members, random.Random(2026))
    renumbered = _renumbered(households, random.Random(2027))
    changed = sum(
        len(family) for family, moved in zip(households, renumbered, strict=True) if family != moved
    )
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        first, second = Path(directory, "members.csv"), Path(directory, "members-changed.csv")
        first.write_bytes(_csv(households))
        second.write_bytes(_csv(renumbered))
        for label, path, expected in (
            ("create (baseline)", first, (members, 0, 0)),
            ("update after a mass change", second, (0, changed, members - changed)),
            ("unchanged, the same file again", second, (0, 0, members)),
        ):
            rows.append((label, *_import(path, expected)))
    return rows


def _households(members: int, rng: random.Random) -> list[list[list[str]]]:
    """`members` CSV rows (without header) grouped by household, the insured person first."""
    households, made = [], 0
    while made < members:
        number = len(households) + 1
        employer = rng.randrange(len(EMPLOYERS))
        last, last_kana = rng.choice(LAST_NAMES)
        born = 1960 + rng.randrange(40)
        family = [("本人", rng.choice("12"), born)]
        if rng.random() < 0.45:
            family.append(("配偶者", rng.choice("12"), born + rng.randrange(-5, 5)))
        for _child in range(rng.choice((0, 0, 1, 2, 2, 3))):
            family.append(("子", rng.choice("12"), born + 25 + rng.randrange(10)))
        rows = []
        for branch, (relationship, sex, year) in enumerate(family[: members - made]):
            first, first_kana = rng.choice(FIRST_NAMES)
            rows.append(
                [
                    f"core-{number}-{branch:02d}",
                    str(1001 + employer),
                    str(number),
                    f"{branch:02d}",
                    f"{last} {first}",
                    f"{last_kana} {first_kana}",
                    f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                    sex,
                    relationship,
                    "" if relationship == "本人" else f"core-{number}-00",
                    EMPLOYERS[employer] if relationship == "本人" else "",
                    "2010-04-01",
                    "",
                ]
            )
        households.append(rows)
        made += len(rows)
    return households


def _renumbered(households: list, rng: random.Random) -> list[list[list[str]]]:
    """The households after the core system renumbered 事業所: nine in ten moved to another
    記号 (every member of the household), the insured person's 事業所 renamed."""
    moved = []
    for family in households:
        if rng.random() >= CHANGED_SHARE:
            moved.append(family)
            continue
        family = [row.copy() for row in family]
        for row in family:
            row[1] = str(int(row[1]) + 1000)
            if row[10]:
                row[10] = f"{row[10]}（{row[1]}）"
        moved.append(family)
    return moved


def _csv(households: list) -> bytes:
    lines = [",".join(COLUMNS)]
    lines += [",".join(row) for family in households for row in family]
    return ("\n".join(lines) + "\n").encode()


def _import(path: Path, expected: tuple[int, int, int]) -> tuple[float, float]:
    """(seconds, of which writing) of one import through the command; checks its counts."""
    from django.core.management import call_command

    from audit.models import Event
    from audit.vocabulary import Action
    from records.importing import writing

    durations = []
    write = writing.write

    def timed_write(plan) -> None:
        started = time.perf_counter()
        write(plan)
        durations.append(time.perf_counter() - started)

    with mock.patch.object(writing, "write", timed_write):
        started = time.perf_counter()
        call_command("import_records", str(path), kind="members", verbosity=0, stdout=StringIO())
        elapsed = time.perf_counter() - started
    details = Event.objects.filter(action=Action.RECORDS_MEMBER_IMPORTED).latest("seq").details
    counts = (details["created"], details["updated"], details["unchanged"])
    assert counts == expected, (path.name, counts, expected)
    return elapsed, sum(durations)


def _print(members: int, rows: list[tuple], load: tuple[float, ...]) -> None:
    start, end = (", ".join(f"{value:.2f}" for value in loads) for loads in (load, os.getloadavg()))
    print(f"\nimport of {members:,} members (load average {start} at the start, {end} at the end)")
    print(f"{'import':32} {'seconds':>8} {'rows/s':>8} {'writing s':>10} {'ratio':>6}")
    baseline = rows[0][1]
    for label, seconds, writing in rows:
        print(
            f"{label:32} {seconds:8.1f} {members / seconds:8.0f} {writing:10.1f} "
            f"{seconds / baseline:6.2f}"
        )


if __name__ == "__main__":
    main()
