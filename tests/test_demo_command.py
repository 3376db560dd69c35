"""`manage.py demo`: the register, one account per role that can really sign in, members."""

import base64
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp

from purposes.models import Category, NoticeRevision
from records.models import Member, Record
from safeguards.roles import Role, has_role
from tests.pdf import pdf_words

ACCOUNT_LINE = re.compile(r"user: (\w+)\s+password: (\S+)\s+TOTP secret: ([A-Z2-7]+)")


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--members", "12", *args, stdout=out)
    return out.getvalue()


def current_code(secret: str) -> str:
    return f"{totp(base64.b32decode(secret)):06d}"


@pytest.mark.django_db
def test_it_creates_one_account_per_role_and_prints_each_password_once():
    first = run_demo()
    second = run_demo()

    accounts = {m[0]: m for m in ACCOUNT_LINE.findall(first)}
    assert set(accounts) == {"officer", "handler", "benefits", "desk", "auditor", "sysadmin"}
    assert has_role(User.objects.get(username="officer"), Role.PRIVACY_OFFICER)
    assert has_role(User.objects.get(username="handler"), Role.HANDLER)
    assert has_role(User.objects.get(username="auditor"), Role.AUDITOR)
    assert has_role(User.objects.get(username="sysadmin"), Role.SYSTEM_ADMINISTRATOR)
    assert not ACCOUNT_LINE.search(second)
    assert "--reset-passwords" in second


@pytest.mark.django_db
def test_it_loads_the_register_and_members_once():
    run_demo()
    run_demo()

    assert Category.objects.count() == 17
    assert NoticeRevision.objects.count() == 1
    assert Member.objects.count() == 12
    assert set(Record.objects.values_list("category__code", flat=True).distinct()) == set(
        Category.objects.values_list("code", flat=True)
    )


@pytest.mark.django_db
def test_a_printed_account_signs_in_with_its_password_and_authenticator_code(client):
    accounts = {
        user: (password, secret) for user, password, secret in ACCOUNT_LINE.findall(run_demo())
    }
    password, secret = accounts["handler"]

    response = client.post(
        reverse("safeguards:sign_in"),
        {"username": "handler", "password": password, "otp_token": current_code(secret)},
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_reset_password_replaces_the_old_one(client):
    old = {user: password for user, password, _ in ACCOUNT_LINE.findall(run_demo())}
    run_demo("--reset-passwords")

    assert not User.objects.get(username="handler").check_password(old["handler"])


@pytest.mark.django_db
def test_it_prints_the_address_the_server_listens_on():
    printed = run_demo("--address", "127.0.0.1:8311")
    port_only = run_demo("--address", "8312")

    assert "http://127.0.0.1:8311/accounts/sign-in/" in printed
    assert "http://127.0.0.1:8311/privacy/" in printed
    assert ":8000" not in printed
    assert "http://127.0.0.1:8312/privacy/" in port_only


@pytest.mark.django_db
def test_the_demo_handler_staffs_both_desks_and_the_officer_holds_them_by_role():
    from safeguards.scopes import desk_codes_for

    run_demo()
    run_demo()  # twice: the grants are not repeated

    assert desk_codes_for(User.objects.get(username="handler")) == {"requests", "complaints"}
    assert desk_codes_for(User.objects.get(username="officer")) == {"requests", "complaints"}
    assert desk_codes_for(User.objects.get(username="auditor")) == set()


@pytest.fixture
def signing(settings, tmp_path):
    from audit.checkpoint import generate_key

    settings.AUDIT_SIGNING_KEY = generate_key()[0]
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.mark.django_db
def test_the_demo_day_has_every_state_once_however_often_it_runs(signing):
    from audit.models import Event
    from audit.vocabulary import Action
    from complaints.models import Complaint
    from core.models import OutboxMail
    from disclosure.models import Request
    from safeguards.models import AuditPlan, Incident, Inspection, TrainingSession

    first = run_demo()
    counts = (Request.objects.count(), Complaint.objects.count(), Incident.objects.count())
    run_demo()

    assert "Demo day:" in first and "Audit checkpoint:" in first
    assert (Request.objects.count(), Complaint.objects.count(), Incident.objects.count()) == counts
    states = lambda model, field="state": set(model.objects.values_list(field, flat=True))  # noqa: E731
    assert states(Request) == set(Request.State.values)
    assert states(Complaint) == set(Complaint.State.values)
    assert {Incident.State.ASSESSING, Incident.State.PRELIMINARY_REPORTED} <= states(Incident)
    assert {Inspection.Status.SCHEDULED, Inspection.Status.SIGNED_OFF} <= states(
        Inspection, "status"
    )
    assert {AuditPlan.Status.PLANNED, AuditPlan.Status.REPORTED} <= states(AuditPlan, "status")
    assert TrainingSession.objects.count() >= 2
    assert {OutboxMail.State.SENT, OutboxMail.State.FAILED} <= states(OutboxMail)
    # Each request came with identity documents, kept until the member was matched (APPI
    # Art. 22), then deleted.
    assert Request.objects.filter(documents__isnull=False, member__isnull=True).exists()
    assert not Request.objects.filter(documents__isnull=False, member__isnull=False).exists()
    assert Event.objects.filter(action=Action.AUDIT_CHECKPOINT_WRITTEN).count() == 1
    assert len(list(signing.glob("demo-*.json"))) == 1


@pytest.mark.django_db
def test_the_demo_staff_are_named_and_the_officer_works_requests_without_a_category():
    from audit.models import Event
    from audit.vocabulary import Action
    from safeguards.scopes import category_ids_for

    run_demo()

    officer = User.objects.get(username="officer")
    assert (
        officer.get_full_name() and User.objects.get(username="desk").get_full_name() == "田中 由美"
    )
    assert category_ids_for(officer) == set()
    assert category_ids_for(User.objects.get(username="desk")) == set()
    # The officer decided and refused requests all the same (their statutory access).
    decided = Event.objects.filter(
        action=Action.DISCLOSURE_REQUEST_MOVED, actor_id=officer.pk, details__to="decided"
    )
    assert decided.count() >= 4


@pytest.mark.django_db
def test_art35_bin_demo_runs_the_demo_with_its_defaults_and_the_refused_erasure_cites_the_law(
    signing,
):
    """`bin/demo` runs `manage.py demo` as it stands, with 300 members. The story's refused
    erasure took the ninth insured person, who holds no 特定健診 record among those 300, and
    the refusal on 「法令により保存が義務付けられている」 stopped the newcomer's first command
    with a traceback; the story now takes a member whose record the law keeps that day."""

    from disclosure.models import DecisionItem, Kind, Letter, Request

    out = io.StringIO()
    call_command("demo", stdout=out)

    assert "Demo data: 300 members, 6000 records." in out.getvalue()
    assert "Demo day: 11 requests" in out.getvalue()
    item = DecisionItem.objects.get(kind=Kind.ERASURE, granted=False)
    assert item.ground == DecisionItem.Ground.RETENTION
    assert item.request.state == Request.State.DECIDED
    letter = item.request.letters.get(kind=Letter.Kind.DECISION)
    text = pdf_words(letter.file.open())
    assert "特定健康診査及び特定保健指導の実施に関する基準第10条" in text
