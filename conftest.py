"""Project-wide pytest configuration: database-specific markers and the standing personas.

The personas (STYLE.md §8) are fixtures here, each test's own, made by `tests/personas.py`:
two handlers with one category each (the health-checks handler also staffs both desks,
requests and complaints; the receipts handler neither), the privacy officer, the auditor, an
outsider (staff, no scope) and a superuser. `register` loads the society's real register, so
the categories and purposes carry their real codes.
"""

import itertools
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.db import connection, connections, transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.test import TransactionTestCase, override_settings

from safeguards.roles import Role
from safeguards.testing import in_good_standing, make_staff
from tests import personas

# `audit_transactional_db`: a transactional test that commits audit events uses it, so the
# append-only trail is emptied (triggers off) before pytest-django flushes the tables.
pytest_plugins = ["audit.tests.fixtures"]


@pytest.fixture(autouse=True)
def _skip_postgres_only_on_sqlite(request):
    # CI runs the suite on both databases; these tests exercise PostgreSQL behaviour
    # (row locks under concurrent writers) that SQLite, one writer at a time, has not.
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_in_bulk():
    """What the migrations wrote (content types, permissions, the roles' groups, the desks) is
    reloaded right after the flush that ends each transactional test (`audit_transactional_db`,
    the browser walks; all of them use the serialized rollback), so every test finds it.

    Django reloads it at the start of the next transactional test instead, so a plain
    database test that ran after a transactional one in the same worker found the tables
    empty: pytest-django runs the transactional tests last, but pytest-xdist's work stealing
    hands an idle worker the tests another had queued, and one file of them failed for want
    of the roles' groups. And Django reloads one object at a time (an UPDATE and an INSERT
    each, some 800 statements and half a second a test); this reloads the same objects with
    one INSERT per table, in one transaction, as Django's own does, once per flush."""
    with (
        mock.patch.object(BaseDatabaseCreation, "deserialize_db_from_string", _reload_in_bulk),
        mock.patch.object(TransactionTestCase, "_fixture_teardown", _flush_and_reload),
    ):
        yield


# The databases known to hold what the migrations wrote: reloaded since their last flush.
_LOADED: set[str] = set()
_flush = TransactionTestCase._fixture_teardown


def _flush_and_reload(test: TransactionTestCase) -> None:
    _flush(test)
    for alias in test._databases_names(include_mirrors=False):
        database = connections[alias]
        if test.serialized_rollback and hasattr(database, "_test_serialized_contents"):
            _LOADED.discard(alias)
            database.creation.deserialize_db_from_string(database._test_serialized_contents)


def _reload_in_bulk(creation: BaseDatabaseCreation, data: str) -> None:
    # As Django's: a row the database still holds (the first test after the migrations) is
    # written over, a missing one inserted. Asked again at the next transactional test's
    # start, it does nothing: the flush before it reloaded already.
    alias = creation.connection.alias
    if alias in _LOADED:
        return
    loaded = list(serializers.deserialize("json", data, using=alias))
    with transaction.atomic(using=alias):  # the foreign keys are checked at its commit
        for model, group in itertools.groupby(loaded, key=lambda item: type(item.object)):
            rows = list(group)
            fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
            model._base_manager.using(alias).bulk_create(
                [row.object for row in rows],
                update_conflicts=True,
                unique_fields=[model._meta.pk.name],
                update_fields=fields,
            )
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                through._base_manager.using(alias).bulk_create(
                    (
                        through(
                            **{
                                field.m2m_column_name(): row.object.pk,
                                field.m2m_reverse_name(): other,
                            }
                        )
                        for row in rows
                        for other in row.m2m_data.get(field.name, ())
                    ),
                    ignore_conflicts=True,
                )
    _LOADED.add(alias)


@pytest.fixture(scope="session")
def _session_signing_key() -> str:
    from audit.checkpoint import generate_key

    return generate_key()[0]


@pytest.fixture(autouse=True)
def _erasure_ledger(settings, tmp_path_factory, _session_signing_key):
    # An erasure signs its line of the erasure ledger (audit.erasure_ledger) and refuses without a
    # key; each test keeps its ledger in a directory of its own, never under var/.
    settings.AUDIT_SIGNING_KEY = _session_signing_key
    settings.ERASURE_LEDGER_DIR = tmp_path_factory.mktemp("erasures")


@pytest.fixture(scope="session", autouse=True)
def _key_encryption_key():
    # Records of the categories stored encrypted are sealed with the members' data keys,
    # wrapped by this key (records.sealing); production sets KUMIAI_KEK. One for the whole
    # run, so that fixtures wider than a test (tests/conftest.py `world`) seal with it too; a
    # test that changes it (`settings`) has it back afterwards.
    from core.envelope import generate_kek

    with override_settings(KUMIAI_KEK=generate_kek(), KUMIAI_KEK_PREVIOUS=[]):
        yield


def pytest_collection_modifyitems(items):
    """Every test that uses the database uses the key store too (`records.keystore`, the
    alias `keys`): sealing a record writes its member's data key there. pytest-django gives
    a test only the databases its marker names, and creates those it finds named."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses = {"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        if marker is None and not uses:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        if marker and marker.args:
            kwargs.setdefault("transaction", marker.args[0])
        kwargs["databases"] = "__all__"
        if "django_db_serialized_rollback" in item.fixturenames:  # as pytest-django reads it
            kwargs["serialized_rollback"] = True
        item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture
def register(db):
    """The society's register (the default notice), loaded and published, in force today."""
    return personas.register()


@pytest.fixture
def privacy_officer(db) -> User:
    return personas.privacy_officer()


@pytest.fixture
def bare_officer(privacy_officer) -> User:
    """The officer in good standing with no category or member granted: requests are answered
    on their own statutory access (`disclosure.access`), not on the officer's scope."""
    return in_good_standing(privacy_officer)


@pytest.fixture
def auditor(db) -> User:
    return personas.auditor()


@pytest.fixture
def outsider(db) -> User:
    """Staff with the handler role, a pledge and training, but no scope at all."""
    return in_good_standing(make_staff("outsider", Role.HANDLER))


@pytest.fixture
def superuser(db) -> User:
    return personas.superuser()


@pytest.fixture
def handler_kenshin(register, privacy_officer) -> User:
    """A handler scoped to 健康診査に関する情報 (health-checks), on both desks."""
    return personas.handler_kenshin(register, privacy_officer)


@pytest.fixture
def handler_receipt(register, privacy_officer) -> User:
    """A handler scoped to レセプトに関する情報 (receipts), on no desk: no filing is theirs."""
    return personas.handler_receipt(register, privacy_officer)


@pytest.fixture
def kenshin_and_receipt(register):
    """Two members: one with a 健康診査 record, one known to the society only by a receipt."""
    return personas.kenshin_and_receipt(register)


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def chromium(live_server, monkeypatch):
    """A headless Debian Chromium (playwright) for the pages served by `live_server`.
    Skips where playwright is not installed."""
    playwright = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM reads
    # are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            # While playwright's event loop runs in this thread, asgiref's Local gives Django
            # a second set of connections here, apart from the thread's own: the test's queries
            # open one that nothing closes once the loop stops (the test database's teardown
            # then finds it still connected).
            connections.close_all()
            browser.close()


@pytest.fixture
def browser_context(chromium):
    """Chromium at a phone's width, in Japanese: the public forms must work in one column."""
    return chromium.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")


@pytest.fixture
def screenshots(settings) -> Path:
    """Where browser tests keep their screenshots for a person to look at: var/screenshots/
    (under KUMIAI_VAR_DIR; var/ is gitignored), kept after the run."""
    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def sign_in(client):
    """Sign `user` in to the test client as staff do: password and a verified OTP device."""
    from safeguards.testing import sign_in_verified

    def sign_in(user):
        sign_in_verified(client, user)
        return client

    return sign_in


@pytest.fixture
def run_worker(db, monkeypatch):
    """Runs the task worker (`manage.py worker`'s, django-tasks-db) over what is due, then
    returns: the outbox's mail is sent (to `mail.outbox` in tests) as in production."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker closes connections left outside autocommit: the test's own transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test",
            excluded_queue_names=[],
        ).run()

    return run


class SmtpStub:
    """A local mail server for the outbox's tests (aiosmtpd): `down()` closes it (connections
    refused), `refusing()` answers every message with 451 (try later), `up()` accepts. What it
    accepted is in `received` (aiosmtpd envelopes)."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.port, self.accepting, self.received = port, False, []
        self._controller = Controller(self, hostname="127.0.0.1", port=port)
        self._running = False

    async def handle_DATA(self, server, session, envelope):
        if not self.accepting:
            return "451 4.3.0 Try again later"
        self.received.append(envelope)
        return "250 OK"

    def down(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def refusing(self) -> None:
        self.accepting = False
        if not self._running:
            self._controller.start()
            self._running = True

    def up(self) -> None:
        self.refusing()
        self.accepting = True


@pytest.fixture
def smtp_stub(settings):
    """The project's mail sent by SMTP to a `SmtpStub` on a free local port, down at first."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    stub = SmtpStub(port)
    yield stub
    stub.down()


@pytest.fixture
def wait_is_over():
    """Brings the outbox's next tries forward to now, as if their back-off had passed."""
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from core.outbox import deliver

    def advance() -> None:
        DBTaskResult.objects.filter(
            task_path=deliver.module_path, status=TaskResultStatus.READY
        ).update(run_after=timezone.now())

    return advance
