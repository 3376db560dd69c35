"""The browser walks' database: the live server's request threads and the test's own thread
each hold a connection of their own, and one waits for the other's transaction instead of
failing. On SQLite an in-memory test database shared between connections locks whole tables
and refuses at once (`database table is locked`, SQLITE_LOCKED, which no busy timeout waits
out); CI's run on SQLite failed a browser walk so when the test read a request the server
was still writing. The test database is a file there (`kumiai.settings.test`)."""

import threading

from django.contrib.auth.models import Group
from django.db import connections, transaction


def test_a_second_connection_waits_for_anothers_write_instead_of_failing(audit_transactional_db):
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def server_request() -> None:
        # A request thread: a connection of its own, inside a transaction as ATOMIC_REQUESTS
        # holds one, writing while the test reads and writes.
        try:
            with transaction.atomic():
                Group.objects.create(name="サーバーの書き込み")
                started.set()
                release.wait(timeout=5)
        except BaseException as error:  # reported to the test's thread below
            errors.append(error)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=server_request)
    thread.start()
    assert started.wait(timeout=5)
    try:
        before = Group.objects.count()  # a read while the other transaction is open
        threading.Timer(0.3, release.set).start()
        Group.objects.create(name="テストの書き込み")  # waits for the other's commit
    finally:
        release.set()
        thread.join()

    assert errors == []
    assert Group.objects.filter(name__in=["サーバーの書き込み", "テストの書き込み"]).count() == 2
    assert Group.objects.count() == before + 2
