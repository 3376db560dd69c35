"""Benchmark of the outbox (issue 15): filings at 50 a second with the mail server down, then
the server back; on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/outbox_bench.py [--rate 50] [--seconds 20]

Creates the database `kumiai_outbox_bench` on that server, migrates it, and drops it at the
end. Starts a local mail server (aiosmtpd) that is down (connections refused) and one
`manage.py worker` (the demo's settings, DEBUG off, mail by SMTP to that server, retrying
every 2 s doubling to 10 s). Then members file requests through the form's views (Django's
test client, in `--processes` processes of threads: form, form with a JPEG identity
document, confirmation, receipt page), started at `--rate` a second for `--seconds`.
Reports the filings started and completed per second, the time a filing took (its four
requests) and every error (must be 0), and that every receipt given is a request stored.
(Not through gunicorn: on this machine gunicorn 27 holds every multipart POST about 20 s
before the view runs, with or without this change, which would measure that alone.)

Then the mail server comes back: reports the time until every receipt mail is delivered,
and that each receipt number was mailed exactly once (no mail lost, none sent twice, waiting
a further 15 s for late duplicates).
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import get_context
from pathlib import Path

from _database import bench_database
from disclosure_bench import FORM, JPEG

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "kumiai_outbox_bench"


class _MailServer:
    """aiosmtpd, down until `up()`: then it keeps every message's receipt number."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.receipts: list[str] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        subject = re.search(rb"R?[0-9]{6}-[0-9]{6}", envelope.content)
        self.receipts.append(subject[0].decode() if subject else "?")
        return "250 OK"

    def up(self) -> None:
        self.controller.start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=50, help="filings started per second")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--processes", type=int, default=(os.cpu_count() or 1) * 2)
    args = parser.parse_args()

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mail_port = probe.getsockname()[1]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kumiai.settings.dev",
        DEBUG="false",
        LOG_LEVEL="ERROR",
        EMAIL_URL=f"smtp://127.0.0.1:{mail_port}",
        EMAIL_TIMEOUT="5",
        OUTBOX_RETRY_SECONDS="2",
        OUTBOX_RETRY_MAX_SECONDS="10",
        OUTBOX_MAX_ATTEMPTS="1000",
        KUMIAI_PRIVATE_DIR=tempfile.mkdtemp(prefix="kumiai-bench-"),
        # Each member comes from an address of its own (X-Forwarded-For, one proxy), so that
        # the hourly upload quota counts each, as it would in production.
        PROXY_COUNT="1",
    )
    sys.path.insert(0, str(ROOT))
    with bench_database(DATABASE):
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        server = _MailServer(mail_port)
        processes = _start()
        try:
            load = _load(args)
            mail = _recover(server, load)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            server.controller.stop()
        _print(args, load, mail)


def _start() -> list[subprocess.Popen]:
    # Its log is not the measure: discarded.
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.5", "-v0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return [worker]


def _file_one() -> tuple[str | None, str | None]:
    """One member's filing through the views: (receipt number, error)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    address = ".".join(str(random.randrange(1, 255)) for _octet in range(4))
    client = Client(SERVER_NAME="127.0.0.1", HTTP_X_FORWARDED_FOR=address)
    if (status := client.get("/requests/new/").status_code) != 200:
        return None, f"form: HTTP {status}"
    document = SimpleUploadedFile("licence.jpg", JPEG, content_type="image/jpeg")
    confirm = client.post("/requests/new/", {**FORM, "identity_document": document})
    draft = re.search(r'name="draft" value="([^"]+)"', confirm.content.decode())
    if draft is None:
        return None, f"form sent: HTTP {confirm.status_code}, no confirmation page"
    sent = client.post("/requests/confirm/", {"draft": draft[1], "send": "1"})
    if sent.status_code != 302:
        return None, f"confirmation: HTTP {sent.status_code}"
    done = client.get("/requests/done/")
    receipt = re.search(r"/requests/status/([0-9]{6}-[0-9]{6})/", done.content.decode())
    if done.status_code != 200 or receipt is None:
        return None, f"receipt page: HTTP {done.status_code}"
    return receipt[1], None


def _file_share(rate: float, count: int, offset: float) -> tuple[list, list, list]:
    """One process's share: `count` filings started at `rate` a second, each in a thread."""
    import django
    from django.db import connections

    django.setup()
    receipts, errors, durations = [], [], []
    lock = threading.Lock()
    # At most 8 filings at once per process: PostgreSQL's connections are few (a filing
    # started while 8 are running waits, and its wait counts in its time).
    slots = threading.BoundedSemaphore(8)

    def member():
        started = time.monotonic()
        try:
            with slots:
                receipt, error = _file_one()
        except Exception as failure:  # every failure is an error to count
            receipt, error = None, f"{type(failure).__name__}: {failure}"
        finally:
            connections.close_all()
        with lock:
            durations.append(time.monotonic() - started)
            (receipts.append(receipt) if receipt else errors.append(error))

    threads = []
    started = time.monotonic() + offset
    for n in range(count):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        threads.append(threading.Thread(target=member))
        threads[-1].start()
    for thread in threads:
        thread.join()
    return receipts, errors, durations


def _load(args) -> dict:
    from disclosure.models import Request

    count = int(args.rate * args.seconds)
    share, rate = count // args.processes, args.rate / args.processes
    started = time.monotonic()
    with get_context("spawn").Pool(args.processes) as pool:
        results = pool.starmap(
            _file_share, [(rate, share, n / args.rate) for n in range(args.processes)]
        )
    elapsed = time.monotonic() - started
    receipts = [r for result in results for r in result[0]]
    errors = [e for result in results for e in result[1]]
    durations = sorted(d for result in results for d in result[2])
    stored = set(Request.objects.values_list("receipt_number", flat=True))
    given = set(receipts)
    return {
        "started": share * args.processes,
        "elapsed": elapsed,
        "filings": len(receipts),
        "errors": errors,
        "stored": len(stored),
        "given": given,
        "given_not_stored": len(given - stored),
        "median": statistics.median(durations),
        "p95": durations[int(len(durations) * 0.95) - 1],
    }


def _recover(server: _MailServer, load: dict) -> dict:
    from core.models import OutboxMail

    waiting = OutboxMail.objects.filter(state=OutboxMail.State.PENDING).count()
    tries = sum(OutboxMail.objects.values_list("attempts", flat=True))
    server.up()
    back = time.monotonic()
    while len(server.receipts) < load["stored"] and time.monotonic() - back < 600:
        time.sleep(0.2)
    delivered_in = time.monotonic() - back
    time.sleep(15)  # any mail sent twice would arrive now
    return {
        "pending_while_down": waiting,
        "failed_tries_while_down": tries,
        "delivered_in": delivered_in,
        "received": len(server.receipts),
        "distinct": len(set(server.receipts)),
        "lost": len(load["given"] - set(server.receipts)),
        "sent_state": OutboxMail.objects.filter(state=OutboxMail.State.SENT).count(),
    }


def _print(args, load: dict, mail: dict) -> None:
    print(f"Filings, mail server down ({args.rate:g}/s for {args.seconds} s):")
    print(
        f"  {load['started']} started in {args.seconds} s, all done in {load['elapsed']:.1f} s "
        f"({load['filings'] / load['elapsed']:.1f} filings/s completed)"
    )
    print(
        f"  a filing (4 requests): median {load['median']:.2f} s, p95 {load['p95']:.2f} s; "
        f"errors {len(load['errors'])}"
    )
    for error in sorted(set(load["errors"]))[:10]:
        print(f"    {error}")
    print(
        f"  receipts given {load['filings']}, requests stored {load['stored']}, "
        f"given but not stored {load['given_not_stored']}"
    )
    print(
        f"  mails waiting {mail['pending_while_down']}, failed tries while down "
        f"{mail['failed_tries_while_down']}"
    )
    print("Mail server back:")
    print(
        f"  every mail delivered in {mail['delivered_in']:.1f} s: received {mail['received']}, "
        f"distinct receipts {mail['distinct']}, lost {mail['lost']}, "
        f"outbox rows sent {mail['sent_state']}"
    )


if __name__ == "__main__":
    main()
