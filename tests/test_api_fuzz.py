"""The REST API fuzzed against its own OpenAPI schema (schemathesis, hypothesis).

Every operation that `/api/schema/` describes is called with generated input: never a 5xx,
responses as the schema describes them, and nothing of レセプト data in the answers to the
健康診査 handler. The import is also fed arbitrary bodies (binary, huge lines, the wrong
encoding, CSV injection) as the core systems' account: never a 5xx, and a 400 leaves the
tables as they were (all rows or none).

Examples are bounded so that the file runs in well under a minute; the database state is
made once per test (the real register, the personas of the root conftest) and shared by
that test's examples.
"""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from audit.models import Event
from kumiai.wsgi import application
from records.models import Member, Record
from records.tests.test_import import MEMBERS_CSV

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts
REFUSED = "medical-expense-notice"  # permitted for receipts only
RECEIPT_SECRETS = ("外来レセプト秘匿", "受診秘子", "ジュシンヒミコ", "レセプトに関する情報")
# What the schema promises of every answer. Not `positive_data_acceptance`: `purpose` is a
# free string in the schema, and any code the register does not permit is rightly refused.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    # The fixtures' database state is made once per test and shared by its examples: the
    # reads leave it as it is, and the import's examples count the rows before and after.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

schemathesis.serializer.alias("text/csv", "text/plain")


@pytest.fixture
def wsgi_app(db):
    """The project's WSGI application, called in the test's own transaction.

    A real WSGI request ends with `close_old_connections`, which closes a connection that
    is not in autocommit: the test's transaction, on PostgreSQL. Django's test client
    disconnects it for the same reason; so does this fixture, for as long as the test runs.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app):
    # Loaded in a fixture, where the database is open: serving the schema passes through
    # the gate's ledger middleware. (`schemathesis.pytest.from_fixture` would do this, but
    # its 4.32 release sets `_nodeid` on the test item, which pytest 9 no longer has.)
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


def _cases(schema, mode: GenerationMode, **include) -> st.SearchStrategy:
    """Cases for every operation of the schema that `include` selects (method=, path=)."""
    operations = [result.ok() for result in schema.include(**include).get_all_operations()]
    assert operations, include
    return st.one_of([operation.as_strategy(generation_mode=mode) for operation in operations])


def _token(user) -> dict:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


@pytest.fixture
def core_system(db):
    """The core systems' account: staff, holding `records.import_data` and nothing else."""
    user = get_user_model().objects.create_user("core-system", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="import_data"))
    return user


def assert_no_receipt_data(text: str):
    for secret in RECEIPT_SECRETS:
        assert secret not in text


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_read_fails_strays_from_the_schema_or_shows_receipts(
    mode, api_schema, handler_kenshin, kenshin_and_receipt
):
    headers = _token(handler_kenshin)
    # Invalid input is judged by the server alone: it must refuse it, not fail on it.
    checks = CHECKS if mode is GenerationMode.POSITIVE else [not_a_server_error]

    @given(
        case=_cases(api_schema, mode, method="GET"),
        purpose=st.sampled_from([CHECKUP, REFUSED, None]),
        target=st.sampled_from(["kenshin", "receipt", "checked", "treated", None]),
    )
    @FUZZ
    def call(case, purpose, target):
        # Generated purposes are random strings that the gate refuses; most calls name a
        # real one instead, so that the answers with rows are fuzzed too.
        if purpose is not None:
            case.query = {**(case.query or {}), "purpose": purpose}
        by_id = "id" in (case.path_parameters or {})
        if by_id and target is not None:
            case.path_parameters["id"] = kenshin_and_receipt[target].pk

        response = case.call_and_validate(headers=headers, checks=checks)

        # The register names every category, レセプト's included, as /privacy/ does for
        # anyone: it holds no one's data.
        if case.path != "/api/v1/purposes/":
            assert_no_receipt_data(response.text)
        if by_id and target in ("receipt", "treated"):
            assert response.status_code in (401, 403, 404)

    call()


def _counts() -> tuple[int, int, int]:
    return Member.objects.count(), Record.objects.count(), Event.objects.count()


def test_the_import_never_fails_and_a_refusal_writes_nothing(api_schema, register, core_system):
    headers = _token(core_system)

    @given(case=_cases(api_schema, GenerationMode.POSITIVE, path="/api/v1/import/"))
    @FUZZ
    def call(case):
        before = _counts()

        response = case.call_and_validate(headers=headers, checks=CHECKS)

        if response.status_code >= 400 or response.json().get("dry_run"):
            assert _counts()[:2] == before[:2]

    call()


HEADER = MEMBERS_CSV.splitlines()[0]
ROWS = MEMBERS_CSV.splitlines()[1:]
INJECTIONS = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", '=HYPERLINK("x")')


def _with_cell(row: int, column: int, value: str) -> bytes:
    rows = [line.split(",") for line in ROWS]
    rows[row][column] = '"' + value.replace('"', '""') + '"'
    return "\n".join([HEADER, *(",".join(cells) for cells in rows)]).encode("utf-8")


bodies = st.one_of(
    st.binary(max_size=4096),
    # One line past the csv module's field limit (131,072 characters), and long rows.
    st.integers(130_000, 300_000).map(lambda n: f"{HEADER}\nM-9,{'9' * n}\n".encode()),
    st.integers(1, 2000).map(lambda n: (HEADER + "\n" + ",".join(["x"] * n) + "\n").encode()),
    # The good file in encodings the import does not read, or reads as something else.
    st.sampled_from(["utf-16", "utf-32", "euc-jp", "iso-2022-jp", "utf-7"]).map(
        lambda encoding: MEMBERS_CSV.encode(encoding, errors="replace")
    ),
    # The good rows with one cell replaced: a formula, control characters, any text.
    st.tuples(
        st.integers(0, len(ROWS) - 1),
        st.integers(0, HEADER.count(",")),
        st.one_of(st.sampled_from(INJECTIONS), st.text(max_size=300)),
    ).map(lambda t: _with_cell(*t)),
)


@given(
    body=bodies,
    as_file=st.booleans(),
    kind=st.sampled_from(["members", "records"]),
    dry_run=st.booleans(),
)
@FUZZ
def test_arbitrary_files_are_reported_never_half_imported(
    body, as_file, kind, dry_run, register, core_system
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=_token(core_system)["Authorization"])
    url = f"/api/v1/import/?kind={kind}&dry_run={str(dry_run).lower()}"
    before = _counts()

    if as_file:
        upload = SimpleUploadedFile("fuzz.csv", body, "text/csv")
        response = client.post(url, {"file": upload}, format="multipart")
    else:
        response = client.generic("POST", url, body, content_type="text/csv")

    assert response.status_code in (200, 400)
    report = response.json()
    if response.status_code == 400 or dry_run:
        assert _counts() == before
        assert not report["imported"]
    else:
        assert report["imported"] and report["error_count"] == 0
        assert _counts()[0] == before[0] + report["created"]
