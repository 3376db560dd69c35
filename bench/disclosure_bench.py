"""Benchmark of the member's request form and of a disclosure package, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/disclosure_bench.py

Creates the database `kumiai_disclosure_bench` on that server, migrates it, and drops it
at the end (`--keep` keeps it).

(a) The form: starts gunicorn on 127.0.0.1 only (the demo's settings, DEBUG off, mail to
nowhere, uploads under a temporary folder), then `--connections` client threads, each with
its own cookies, file requests for `--seconds` as a member does: GET /requests/new/, POST
the form (full-width input and a JPEG identity document), POST the confirmation, GET the
receipt page. Counts the HTTP requests per second, the filings, and every error (a status
other than the expected one, or a connection failure: must be 0), then checks that the
receipts the clients were given are exactly the requests stored.

(b) The package: a member with `--records` records, one decided disclosure request, and
`disclosure.package.build` on the records gathered through the gate, timed, then run again
under tracemalloc for its peak Python memory (and that run's time, "traced s"), against a
plain `json.dumps` of the same rows' `.values()`. `--part b` runs this alone; `--profile
FILE` adds a run under cProfile.
"""

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlencode

from _database import bench_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumiai.settings.dev")

DATABASE = "kumiai_disclosure_bench"
HOST, PORT = "127.0.0.1", 8765
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
FORM = {
    "filer": "self",
    "member_symbol": "１００１",
    "member_number": "２３",
    "member_branch": "０１",
    "name": "山田　花子",
    "name_kana": "やまだ　はなこ",
    "birth_date": "昭和５５年１月２日",
    "postal_code": "１００－０００１",
    "address": "東京都千代田区千代田１－１",
    "phone": "０３－１２３４－５６７８",
    "email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "kinds": "disclosure",
    "method": "download",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument(
        "--part", choices=("a", "b", "both"), default="both", help="(a) the form, (b) the package"
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="(b) also run the package under cProfile into FILE"
    )
    args = parser.parse_args()

    os.environ.update(DEBUG="false", EMAIL_URL="dummymail://", LOG_LEVEL="ERROR")
    private = tempfile.mkdtemp(prefix="kumiai-bench-")
    os.environ["KUMIAI_PRIVATE_DIR"] = private
    # Every client of the load comes from 127.0.0.1: one client's hourly upload quota would
    # refuse them all after a few dozen filings.
    os.environ["UPLOAD_BYTES_PER_HOUR"] = str(1 << 40)
    # Made anew each run: the form's filings would otherwise pile up from run to run.
    with bench_database(DATABASE):
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

        call_command("migrate", database="keys", verbosity=0)  # the key store
        call_command("createcachetable", verbosity=0)
        form = _form_bench(args) if args.part in ("a", "both") else None
        package = _package_bench(args) if args.part in ("b", "both") else None
        _print(args, form, package)


# (a) the form under load


class _Client:
    """One member's browser: its own cookies, one connection at a time."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def send(self, method, path, body=b"", content_type=None) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers |= {"Content-Type": content_type, "Referer": f"http://{HOST}:{PORT}{path}"}
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _eq, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text, dict(response.headers)
        finally:
            connection.close()


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content, mime) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class _Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors: list[str] = []
        self.receipts: list[str] = []

    def expect(self, got: tuple[int, str, dict], status: int, what: str) -> bool:
        with self.lock:
            self.requests += 1
            if got[0] != status:
                self.errors.append(f"{what}: HTTP {got[0]}")
                return False
            return True


def _file_one(client: _Client, tally: _Tally) -> None:
    new = client.send("GET", "/requests/new/")
    if not tally.expect(new, 200, "form"):
        return
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', new[1])[1]
    body, content_type = _multipart(
        {**FORM, "csrfmiddlewaretoken": csrf},
        {"identity_document": ("licence.jpg", JPEG, "image/jpeg")},
    )
    confirm = client.send("POST", "/requests/new/", body, content_type)
    if not tally.expect(confirm, 200, "form sent"):
        return
    draft = re.search(r'name="draft" value="([^"]+)"', confirm[1])
    if draft is None:
        with tally.lock:
            tally.errors.append("form sent: no confirmation page")
        return
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm[1])[1]
    body = urlencode({"csrfmiddlewaretoken": csrf, "draft": draft[1], "send": "1"}).encode()
    sent = client.send("POST", "/requests/confirm/", body, "application/x-www-form-urlencoded")
    if not tally.expect(sent, 302, "confirmation"):
        return
    done = client.send("GET", "/requests/done/")
    if not tally.expect(done, 200, "receipt page"):
        return
    receipt = re.search(r"/requests/status/([0-9]{6}-[0-9]{6})/", done[1])
    with tally.lock:
        if receipt:
            tally.receipts.append(receipt[1])
        else:
            tally.errors.append("receipt page: no receipt number")


def _form_bench(args) -> dict:
    from disclosure.models import Request

    gunicorn = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "kumiai.wsgi",
            f"--bind={HOST}:{PORT}",
            f"--workers={args.workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--backlog=512",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kumiai.settings.dev"},
    )
    try:
        _wait_for_server()
        tally = _Tally()
        stop = time.monotonic() + args.seconds

        def member():
            while time.monotonic() < stop:
                try:
                    _file_one(_Client(), tally)
                except Exception as error:  # every failure is an error to count
                    with tally.lock:
                        tally.errors.append(f"{type(error).__name__}: {error}")

        started = time.monotonic()
        threads = [threading.Thread(target=member) for _n in range(args.connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    stored = set(Request.objects.values_list("receipt_number", flat=True))
    given = set(tally.receipts)
    return {
        "elapsed": elapsed,
        "requests": tally.requests,
        "filings": len(tally.receipts),
        "errors": tally.errors,
        "stored": len(stored),
        "given_not_stored": len(given - stored),
        "stored_not_given": len(stored - given),
        "duplicates": len(tally.receipts) - len(given),
    }


def _wait_for_server() -> None:
    for _try in range(100):
        try:
            if _Client().send("GET", "/requests/new/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("gunicorn did not answer on 127.0.0.1")


# (b) the package of a member with many records


def _package_bench(args) -> dict:
    import datetime
    import json

    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.utils import timezone

    from disclosure import package, services
    from disclosure.models import DecisionItem, Kind, Request
    from purposes.loader import load_register
    from purposes.models import Category
    from records import gate
    from records.models import Member, Record
    from safeguards.models import Approval, TrainingCourse, TrainingSession
    from safeguards.roles import Role
    from safeguards.scopes import grant_scope
    from safeguards.testing import second_officer_approves
    from safeguards.training import record_attendance, sign_pledge

    load_register()
    today = timezone.localdate()
    superuser = User.objects.create_user("bench-superuser", is_staff=True, is_superuser=True)
    officer = User.objects.create_user("bench-officer", is_staff=True)
    officer.groups.add(Group.objects.get(name=Role.PRIVACY_OFFICER))
    sign_pledge(user=officer, version="bench", signed_on=today, by=officer)
    session = TrainingSession.objects.create(
        course=TrainingCourse.objects.create(title="個人情報保護研修"), held_on=today
    )
    record_attendance(session=session, user=officer, score=100, by=officer)
    category = Category.objects.get(code="health-checks")
    grant_scope(user=officer, category=category, by=superuser)
    member = Member.objects.create(
        symbol="9001", number="1", branch="00", name="開示太郎", name_kana="カイジタロウ",
        birth_date=datetime.date(1970, 1, 1), sex=Member.Sex.MALE,
        relationship=Member.Relationship.SELF, employer="本社",
        acquired_on=datetime.date(2000, 4, 1),
    )  # fmt: skip
    start = datetime.date(2000, 1, 1)
    Record.objects.bulk_create(
        Record(
            member=member,
            category=category,
            date=start + datetime.timedelta(days=n % 9000),
            title=f"健康診査 {n}",
            payload={
                "examined_on": (start + datetime.timedelta(days=n % 9000)).isoformat(),
                "facility": "千代田健診センター",
                "height_cm": 170.5,
                "weight_kg": 62.1,
                "bmi": 21.4,
                "systolic_bp": 120,
                "diastolic_bp": 80,
            },
        )
        for n in range(args.records)
    )
    request = Request.objects.create(
        receipt_number="990101-000001", channel=Request.Channel.WEB, kinds=[Kind.DISCLOSURE],
        filer=Request.Filer.SELF, member_symbol="9001", member_number="1", member_branch="00",
        name="開示太郎", name_kana="カイジタロウ", birth_date=member.birth_date,
        postal_code="100-0001", address="東京都", phone="03-0000-0000", token_hash="0" * 64,
        received_at=timezone.now(), due_on=today, member=member, state=Request.State.DECIDED,
        outcome=Request.Outcome.FULL, method=Request.Method.DOWNLOAD,
    )  # fmt: skip
    DecisionItem.objects.create(request=request, kind=Kind.DISCLOSURE, granted=True)

    def approved():
        # Four eyes: each package of 要配慮個人情報 spends a second officer's approval (a few
        # rows, next to nothing beside the package).
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, request)

    def built():
        with gate.ledger(), transaction.atomic():
            approved()
            held = services.gather(request=request, by=officer)
            made = package.build(request=request, records=held, by=officer)
            return len(held), made.file.size

    with gate.ledger(), transaction.atomic():
        gathered = services.gather(request=request, by=officer)

    def build_only():
        # The package's own cost, its records already in memory: what it adds to them.
        with gate.ledger(), transaction.atomic():
            approved()
            made = package.build(request=request, records=gathered, by=officer)
            return len(gathered), made.file.size

    def plain():
        rows = list(Record.objects.filter(member=member).values())
        return len(rows), len(json.dumps(rows, ensure_ascii=False, default=str).encode())

    measured = {
        "package": _measured(built),
        "build": _measured(build_only),
        "plain": _measured(plain),
    }
    if args.profile:
        import cProfile
        import pstats

        # Apart from the timed runs: the profiler's overhead would distort their figures.
        cProfile.runctx("built()", globals(), {"built": built}, args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(30)
    return measured


def _measured(work) -> dict:
    """Time one run as is, then take the peak of another under tracemalloc.

    Apart, because tracemalloc hooks every allocation: it made reportlab, which allocates
    many small objects, several times slower and the time ratio meaningless. The run's CPU
    time beside its wall time: on cores shared with other work the wall time is mostly the
    wait (the database server's share is in neither figure's CPU).
    """
    work()  # warm-up: imports, fonts, query plans
    started, cpu = time.perf_counter(), time.process_time()
    rows, size = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    started = time.perf_counter()
    work()
    traced = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "cpu": cpu,
        "traced": traced,
        "peak": peak,
    }


def _print(args, form: dict | None, package: dict | None) -> None:
    if form is not None:
        _print_form(args, form)
    if package is not None:
        _print_package(args, package)


def _print_form(args, form: dict) -> None:
    print(f"\n(a) /requests/new/ + /requests/confirm/ on gunicorn ({args.workers} workers x 4 "
          f"threads), {args.connections} connections, {form['elapsed']:.1f} s")  # fmt: skip
    print(f"{'HTTP requests':<34}{form['requests']:>10}")
    print(f"{'HTTP requests/s':<34}{form['requests'] / form['elapsed']:>10.1f}")
    print(f"{'filings (4 requests each)':<34}{form['filings']:>10}")
    print(f"{'filings/s':<34}{form['filings'] / form['elapsed']:>10.1f}")
    print(f"{'errors':<34}{len(form['errors']):>10}")
    print(f"{'requests stored':<34}{form['stored']:>10}")
    print(f"{'receipts given, not stored':<34}{form['given_not_stored']:>10}")
    print(f"{'stored, no receipt given':<34}{form['stored_not_given']:>10}")
    print(f"{'receipts given twice':<34}{form['duplicates']:>10}")
    for error in sorted(set(form["errors"]))[:10]:
        print(f"  error: {error}")
    ok = not form["errors"] and not form["given_not_stored"] and not form["stored_not_given"]
    print("\nform: " + ("OK, no errors, every receipt stored and nothing else" if ok else "FAILED"))


def _print_package(args, package: dict) -> None:
    plain, built = package["plain"], package["package"]
    print(f"\n(b) a disclosure package of a member with {args.records} records")
    print(f"{'':<34}{'rows':>6}{'seconds':>9}{'cpu s':>7}{'traced s':>10}{'peak MiB':>10}"
          f"{'out KiB':>9}")  # fmt: skip
    for label, row in (
        ("package (gate, ZIP+JSON+CSV+PDF)", built),
        ("  of which build, rows in memory", package["build"]),
        ("plain json.dumps(.values())", plain),
    ):
        print(f"{label:<34}{row['rows']:>6}{row['seconds']:>9.2f}{row['cpu']:>7.2f}"
              f"{row['traced']:>10.2f}{row['peak'] / 2**20:>10.1f}"
              f"{row['bytes'] / 1024:>9.0f}")  # fmt: skip
    ratios = [built[key] / plain[key] for key in ("seconds", "cpu", "traced", "peak")]
    print(f"{'ratio package / plain':<34}{'':>6}{ratios[0]:>9.1f}{ratios[1]:>7.1f}"
          f"{ratios[2]:>10.1f}{ratios[3]:>10.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
