"""Every URL pattern of the project, against every persona, with the status each must get.

The routes are read from the resolver, so a route without a row fails
`test_every_route_has_a_row`. To add one, add a line to ROWS (the route as the resolver
prints it, the URL to request, and the status for each persona, in PERSONAS' order), or,
for a model registered in the admin, a line to ADMIN_MODELS (the changelist's statuses
stand for all of that model's admin URLs; what is special about one gets its own test).
"""

from dataclasses import dataclass

import pytest
from django.urls import URLResolver, get_resolver

from tests.personas import PERSONAS, PURPOSES


@dataclass(frozen=True)
class Row:
    url: str  # formatted with {record} and {member}: a 健康診査 record and its member
    statuses: tuple[int, ...]  # in PERSONAS' order


API = "?purpose={purpose}"
# route (as the resolver prints it; a trailing * matches any ending) -> row
ROWS = {
    "": Row("/", (302, 302, 302, 302, 302, 302)),
    "privacy/": Row("/privacy/", (200, 200, 200, 200, 200, 200)),
    "privacy/history/": Row("/privacy/history/", (200, 200, 200, 200, 200, 200)),
    "privacy/history/<int:number>/": Row("/privacy/history/1/", (200, 200, 200, 200, 200, 200)),
    "admin/": Row("/admin/", (302, 200, 200, 200, 200, 200)),
    # The admin's login sends everyone to the staff sign-in page (password and token).
    "admin/login/": Row("/admin/login/", (302, 302, 302, 302, 302, 302)),
    "admin/logout/": Row("/admin/logout/", (302, 405, 405, 405, 405, 405)),
    "admin/password_change/": Row("/admin/password_change/", (302, 200, 200, 200, 200, 200)),
    "admin/password_change/done/": Row(
        "/admin/password_change/done/", (302, 200, 200, 200, 200, 200)
    ),
    "admin/autocomplete/": Row(
        "/admin/autocomplete/?app_label=records&model_name=record&field_name=member&term=a",
        (302, 200, 200, 403, 403, 403),
    ),
    "admin/jsi18n/": Row("/admin/jsi18n/", (302, 200, 200, 200, 200, 200)),
    "admin/r/<path:content_type_id>/<path:object_id>/": Row(
        "/admin/r/1/1/", (302, 404, 404, 404, 404, 404)
    ),
    "admin/^(?P<app_label>*": Row("/admin/records/", (302, 200, 200, 200, 200, 200)),
    "admin/(?P<url>.*)$": Row("/admin/nowhere/", (302, 404, 404, 404, 404, 404)),
    "admin/records/record/purpose/": Row(
        "/admin/records/record/purpose/", (302, 200, 200, 403, 403, 200)
    ),
    "admin/records/record/<path:object_id>/change/": Row(
        "/admin/records/record/{record}/change/", (302, 200, 302, 403, 403, 403)
    ),
    "admin/records/member/<path:object_id>/change/": Row(
        "/admin/records/member/{member}/change/", (302, 200, 302, 403, 403, 403)
    ),
    "admin/safeguards/categoryuserobjectpermission/register/": Row(
        "/admin/safeguards/categoryuserobjectpermission/register/",
        (302, 403, 403, 200, 200, 200),
    ),
    "admin/safeguards/categoryuserobjectpermission/user/": Row(
        "/admin/safeguards/categoryuserobjectpermission/user/", (302, 403, 403, 200, 403, 200)
    ),
    "admin/safeguards/categoryuserobjectpermission/user/<int:user_id>/": Row(
        "/admin/safeguards/categoryuserobjectpermission/user/{user}/",
        (302, 403, 403, 200, 403, 200),
    ),
    # Scopes granted to a group (a 係): the same people as a person's scope screen.
    "admin/safeguards/categoryuserobjectpermission/group/": Row(
        "/admin/safeguards/categoryuserobjectpermission/group/", (302, 403, 403, 200, 403, 200)
    ),
    "admin/safeguards/categoryuserobjectpermission/group/<int:group_id>/": Row(
        "/admin/safeguards/categoryuserobjectpermission/group/{group}/",
        (302, 403, 403, 200, 403, 200),
    ),
    # Deciding an approval takes POST only (who may: safeguards/tests/test_administration.py).
    "admin/safeguards/approval/<int:pk>/decide/": Row(
        "/admin/safeguards/approval/1/decide/", (302, 405, 405, 405, 405, 405)
    ),
    "api/v1/members/": Row("/api/v1/members/" + API, (401, 200, 200, 403, 403, 403)),
    "api/v1/members/<int:pk>/": Row(
        "/api/v1/members/{member}/" + API, (401, 200, 404, 403, 403, 403)
    ),
    # Core systems post CSV here (records.import_data); a GET is refused either way.
    "api/v1/import/": Row("/api/v1/import/", (401, 403, 403, 403, 403, 405)),
    # The register's purpose codes, for any caller with a token.
    "api/v1/purposes/": Row("/api/v1/purposes/", (401, 200, 200, 200, 200, 200)),
    "api/v1/records/": Row("/api/v1/records/" + API, (401, 200, 200, 403, 403, 403)),
    "api/v1/records/<int:pk>/": Row(
        "/api/v1/records/{record}/" + API, (401, 200, 404, 403, 403, 403)
    ),
    "accounts/sign-in/": Row("/accounts/sign-in/", (200, 200, 200, 200, 200, 200)),
    "accounts/sign-out/": Row("/accounts/sign-out/", (405, 405, 405, 405, 405, 405)),
    # Any staff member reports an incident; the 監事 reads incidents but reports none.
    "admin/safeguards/incident/add/": Row(
        "/admin/safeguards/incident/add/", (302, 200, 200, 200, 403, 200)
    ),
    "api/schema/": Row("/api/schema/", (200, 200, 200, 200, 200, 200)),
    # The complaints desk's public pages: no account; /received/ without a receipt in the
    # session sends the visitor to the status page.
    "complaints/new/": Row("/complaints/new/", (200, 200, 200, 200, 200, 200)),
    "complaints/confirm/": Row("/complaints/confirm/", (405, 405, 405, 405, 405, 405)),
    "complaints/done/": Row("/complaints/done/", (302, 302, 302, 302, 302, 302)),
    "complaints/status/": Row("/complaints/status/", (200, 200, 200, 200, 200, 200)),
    "complaints/status/<str:receipt>/": Row("/complaints/status/C260401-000001/", (200,) * 6),
    # The desk's monthly summary, a view of its own: the desk and the privacy officer.
    "admin/complaints/complaint/summary/": Row(
        "/admin/complaints/complaint/summary/?format=csv", (302, 200, 200, 200, 403, 200)
    ),
    # The requests desk's public pages (disclosure): no account. Without a receipt in the
    # session /done/ sends the visitor to the form; the status page asks for the token; a
    # letter, the confirmation and the download take POST only (a letter and the download with
    # the birth date).
    "requests/": Row("/requests/", (200, 200, 200, 200, 200, 200)),
    "requests/forms/request.pdf": Row("/requests/forms/request.pdf", (200,) * 6),
    "requests/forms/proxy.pdf": Row("/requests/forms/proxy.pdf", (200,) * 6),
    "requests/new/": Row("/requests/new/", (200, 200, 200, 200, 200, 200)),
    "requests/confirm/": Row("/requests/confirm/", (405, 405, 405, 405, 405, 405)),
    "requests/done/": Row("/requests/done/", (302, 302, 302, 302, 302, 302)),
    "requests/status/": Row("/requests/status/", (200,) * 6),
    "requests/status/<str:receipt>/": Row("/requests/status/260401-000001/", (200,) * 6),
    "requests/status/<str:receipt>/letters/<uuid:key>/": Row(
        "/requests/status/260401-000001/letters/3f2b8c1e-0d5a-4c8e-9b7a-2a1d6e4f5c90/", (405,) * 6
    ),
    "requests/status/<str:receipt>/download/": Row(
        "/requests/status/260401-000001/download/", (405,) * 6
    ),
    # The auditors' reports (GET only): the 監事 and the privacy officer, verified; the
    # verify button takes POST only.
    "reports/": Row("/reports/", (302, 403, 403, 200, 200, 403)),
    "reports/access/": Row("/reports/access/", (302, 403, 403, 200, 200, 403)),
    "reports/events/": Row("/reports/events/", (302, 403, 403, 200, 200, 403)),
    "reports/trail/": Row("/reports/trail/", (302, 403, 403, 200, 200, 403)),
    "reports/trail/verify/": Row("/reports/trail/verify/", (302, 403, 403, 405, 405, 403)),
    "reports/scopes/": Row("/reports/scopes/", (302, 403, 403, 200, 200, 403)),
    "reports/my-number/": Row("/reports/my-number/", (302, 403, 403, 200, 200, 403)),
    "reports/processors/": Row("/reports/processors/", (302, 403, 403, 200, 200, 403)),
    "reports/consents/": Row("/reports/consents/", (302, 403, 403, 200, 200, 403)),
    "reports/disposals/": Row("/reports/disposals/", (302, 403, 403, 200, 200, 403)),
    # A run that does not exist: the readers are told so, everyone else refused first.
    "reports/disposals/<int:pk>/": Row("/reports/disposals/999/", (302, 403, 403, 404, 404, 403)),
}

# What people file, read only through the gate by the staff of the desk (records.gate.filings):
# the handler in scope staffs both desks, the privacy officer holds both by role; the handler
# out of scope, the auditor and the superuser (who administers the system but is not a desk)
# are refused, each refusal an `access.refused` event, each read an `access.read` event.
# Formatted with a request's {request}, its {document} and {letter} keys, a {complaint}.
FILING_ROWS = {
    "admin/disclosure/request/<path:object_id>/change/": Row(
        "/admin/disclosure/request/{request}/change/", (302, 200, 403, 200, 403, 403)
    ),
    "admin/complaints/complaint/<path:object_id>/change/": Row(
        "/admin/complaints/complaint/{complaint}/change/", (302, 200, 403, 200, 403, 403)
    ),
    "admin/disclosure/request/documents/<uuid:key>/": Row(
        "/admin/disclosure/request/documents/{document}/", (302, 200, 403, 200, 403, 403)
    ),
    "admin/disclosure/request/<int:pk>/letters/": Row(
        "/admin/disclosure/request/{request}/letters/", (302, 200, 403, 200, 403, 403)
    ),
    "admin/disclosure/request/letters/<uuid:key>/": Row(
        "/admin/disclosure/request/letters/{letter}/", (302, 200, 403, 200, 403, 403)
    ),
}
# What each filing route reads when it answers: the model names in the event's `filings`.
FILING_READS = {
    "admin/disclosure/request/<path:object_id>/change/": {"request"},
    "admin/complaints/complaint/<path:object_id>/change/": {"complaint"},
    "admin/disclosure/request/documents/<uuid:key>/": {"identitydocument"},
    "admin/disclosure/request/<int:pk>/letters/": {"request", "letter"},
    "admin/disclosure/request/letters/<uuid:key>/": {"letter"},
}
# The lists of filings: the desk's staff see the filing, everyone else with the model
# permission an empty list (the auditor has none: refused).
FILING_LISTS = {
    "/admin/disclosure/request/": ("request", (302, True, False, True, 403, False)),
    "/admin/complaints/complaint/": ("complaint", (302, True, False, True, 403, False)),
}

# app_label/model_name -> statuses of its changelist. Members and records: the gate answers
# (no purpose or no scope is a 403); the others: the role's model permissions.
ADMIN_MODELS = {
    "records/record": (302, 200, 200, 403, 403, 403),
    "records/member": (302, 200, 200, 403, 403, 403),
    "records/memberuserobjectpermission": (302, 403, 403, 200, 200, 200),
    # The registers of restrictions and provisions: the model permission, then the gate
    # (the personas holding the permission have no scope of their own here).
    "records/restriction": (302, 403, 403, 403, 403, 403),
    "records/thirdpartyprovision": (302, 403, 403, 403, 403, 403),
    "records/consent": (302, 403, 403, 403, 403, 403),
    # Protections (DV and the like): the privacy officer's, by role (gate.open_protections:
    # no scope, no purpose); a superuser, not the officer, is refused by the gate.
    "records/protection": (302, 403, 403, 200, 403, 403),
    "safeguards/categoryuserobjectpermission": (302, 403, 403, 200, 200, 200),
    "auth/user": (302, 403, 403, 200, 403, 200),
    "auth/group": (302, 403, 403, 200, 403, 200),
    # API tokens (safeguards.tokens): listed and revoked by the privacy officer, issued too
    # by the system administrator (not a persona here: tests/test_administration.py).
    "safeguards/apitoken": (302, 403, 403, 200, 403, 200),
    # The four-eyes approvals: the privacy officers decide, the 監事 reads.
    "safeguards/approval": (302, 403, 403, 200, 200, 200),
    "otp_totp/totpdevice": (302, 403, 403, 403, 403, 200),
    "axes/accessattempt": (302, 403, 403, 403, 403, 200),
    "axes/accesslog": (302, 403, 403, 403, 403, 200),
    "axes/accessfailurelog": (302, 403, 403, 403, 403, 200),
    # The outbox (core.outbox): the privacy officer watches it and resends failed mail;
    # the task queue's rows (django-tasks-db) only the system administrator reads.
    "core/outboxmail": (302, 403, 403, 200, 403, 200),
    "django_tasks_database/dbtaskresult": (302, 403, 403, 403, 403, 200),
    # The desk: handlers and the privacy officer.
    "complaints/complaint": (302, 200, 200, 200, 403, 200),
    # The requests desk: the same staff; the moves' pages and identity documents share these
    # statuses (who may make which move is the state table's, tested in disclosure).
    "disclosure/request": (302, 200, 200, 200, 403, 200),
    "disclosure/kindpolicy": (302, 200, 200, 200, 403, 200),
    "purposes/category": (302, 403, 403, 200, 200, 200),
    "purposes/purpose": (302, 403, 403, 200, 200, 200),
    "purposes/notice": (302, 403, 403, 200, 200, 200),
    "purposes/noticerevision": (302, 403, 403, 200, 200, 200),
    # Processors (委託先) and their audits, joint use, the society's own fields: the privacy
    # officer keeps them, the 監事 reads them.
    "purposes/processor": (302, 403, 403, 200, 200, 200),
    "purposes/jointuse": (302, 403, 403, 200, 200, 200),
    "purposes/societyprofile": (302, 403, 403, 200, 200, 200),
    # Disposal runs (APPI Art. 22): the privacy officer approves and carries them out, the
    # 監事 reads them; the superuser administers the system, not its records' disposal.
    "retention/disposalrun": (302, 403, 403, 200, 200, 200),
    # The safeguards registers: the privacy officer keeps them, the 監事 reads them.
    **{
        f"safeguards/{register}": (302, 403, 403, 200, 200, 200)
        for register in (
            "pledge",
            "trainingcourse",
            "trainingsession",
            "attendance",
            "staffstanding",
            "officerappointment",
            "checklistitem",
            "inspection",
            "auditplan",
            "auditfinding",
            "correctiveaction",
            "incident",
            "securearea",
            "areaentry",
            "devicecheckout",
        )
    },
}


def project_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from project_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def row_for(route: str) -> Row | None:
    for key, row in (ROWS | FILING_ROWS).items():
        if key == route or (key.endswith("*") and route.startswith(key[:-1])):
            return row
    return None


def admin_model_for(route: str) -> str | None:
    return next((m for m in ADMIN_MODELS if route.startswith(f"admin/{m}/")), None)


def test_every_route_has_a_row():
    missing = [r for r in project_routes() if row_for(r) is None and admin_model_for(r) is None]
    assert missing == [], "add a row to ROWS or ADMIN_MODELS for each of these routes"


def fill(url: str, persona: str, objects: dict, client) -> str:
    from django.contrib.auth.models import Group

    user = client.session.get("_auth_user_id", 0)
    return url.format(
        record=objects["kenshin"].pk,
        member=objects["checked"].pk,
        user=user,
        group=Group.objects.get_or_create(name="給付係")[0].pk,
        purpose=PURPOSES.get(persona, "checkup-reminder"),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", list(ROWS))
def test_each_route_answers_each_persona(route, persona, as_persona, world):
    client = as_persona(persona)
    row = ROWS[route]
    response = client.get(fill(row.url, persona, world["objects"], client))
    assert response.status_code == row.statuses[PERSONAS.index(persona)]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("model", list(ADMIN_MODELS))
def test_each_admin_model_answers_each_persona(model, persona, as_persona):
    response = as_persona(persona).get(f"/admin/{model}/")
    assert response.status_code == ADMIN_MODELS[model][PERSONAS.index(persona)]


@pytest.fixture
def filings(settings, tmp_path):
    """A request with an identity document and a letter, in a media folder of the test's, and
    a complaint."""
    from django.core.files.base import ContentFile

    from complaints.tests.factories import ComplaintFactory
    from disclosure import letters
    from disclosure.models import IdentityDocument, Letter
    from disclosure.tests.factories import RequestFactory

    settings.MEDIA_ROOT = tmp_path
    request = RequestFactory()
    document = IdentityDocument(request=request, role="identity", content_type="image/png")
    document.size, document.sha256 = 8, "0" * 64
    document.file.save("licence.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    letter = letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    complaint = ComplaintFactory()
    return {
        "request": request,
        "document": document,
        "letter": letter,
        "complaint": complaint,
    }


def _events_since(seq: int, action):
    from audit.models import Event

    return list(Event.objects.filter(seq__gt=seq, action=action).order_by("seq"))


def _last_seq() -> int:
    from audit.models import Event

    return Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", list(FILING_ROWS))
def test_each_filing_route_answers_each_persona_and_logs_it(route, persona, as_persona, filings):
    from audit.vocabulary import Action

    row = FILING_ROWS[route]
    client = as_persona(persona)
    user_id = int(client.session.get("_auth_user_id", 0))
    keys = {
        "request": filings["request"].pk,
        "complaint": filings["complaint"].pk,
        "document": filings["document"].key,
        "letter": filings["letter"].key,
    }
    seq = _last_seq()

    response = client.get(row.url.format(**keys))

    status = row.statuses[PERSONAS.index(persona)]
    assert response.status_code == status
    reads = _events_since(seq, Action.RECORDS_ACCESS_READ)
    refusals = _events_since(seq, Action.RECORDS_ACCESS_REFUSED)
    if status == 200:
        assert refusals == [] and len(reads) == 1
        read = reads[0]
        assert read.actor_id == user_id and read.details["desk"] in ("requests", "complaints")
        assert set(read.details["filings"]) == FILING_READS[route]
    elif status == 403:
        assert reads == []
        assert "窓口" in response.content.decode()  # the Japanese 403 page says which desk
        assert [(e.actor_id, e.details["reason"]) for e in refusals] == [(user_id, "out_of_desk")]
    else:
        assert reads == refusals == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", list(FILING_LISTS))
def test_a_filing_list_shows_the_desks_staff_their_filings_and_nobody_else(
    url, persona, as_persona, filings
):
    from audit.vocabulary import Action

    name, expected = FILING_LISTS[url]
    filing = filings[name]
    client = as_persona(persona)
    seq = _last_seq()

    response = client.get(url)

    shown = expected[PERSONAS.index(persona)]
    if not isinstance(shown, bool):
        assert response.status_code == shown
        return
    assert response.status_code == 200
    assert (filing.receipt_number in response.content.decode()) is shown
    reads = _events_since(seq, Action.RECORDS_ACCESS_READ)
    if shown:
        assert [e.details["filings"] for e in reads] == [{name: [filing.pk]}]
    else:
        assert reads == []
