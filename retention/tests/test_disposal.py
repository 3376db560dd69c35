"""Disposal under the retention schedule (APPI Art. 22; ガイダンスQ&A 問201): the daily job counts
what fell due into a run, a pending matter holds what it needs (listed by id), the privacy
officer approves (a second officer too for 要配慮個人情報 or a member erased whole), the run
erases through a request's erasure path, and its certificate (廃棄記録) says what went, how,
by whom and when, with no personal value."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command

from audit import erasure_ledger
from audit.models import Event
from audit.vocabulary import Action
from core.workflow import NotAllowed, transition
from disclosure.models import Request
from disclosure.tests.factories import RequestFactory
from records import keystore
from records.models import Member, Record
from records.tests.factories import MemberFactory, RecordFactory
from retention.disposal import open_run
from retention.models import DisposalHold, DisposalRun
from safeguards import approvals
from safeguards.models import Approval
from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)
NAME = "廃棄対象花子"


@pytest.fixture
def second_officer(db):
    return make_staff("second_officer", Role.PRIVACY_OFFICER)


@pytest.fixture
def old_and_new(register):
    """A member with a receipt of 2019 (past its five years), one of 2025 (kept), and a
    特定健診 record of FY2019 (kept to 31 March 2025: past)."""
    member = MemberFactory(name=NAME)
    return {
        "member": member,
        "old_receipt": RecordFactory(
            member=member, category=register["receipts"], date=datetime.date(2019, 6, 1)
        ),
        "new_receipt": RecordFactory(
            member=member, category=register["receipts"], date=datetime.date(2025, 6, 1)
        ),
        "old_checkup": RecordFactory(
            member=member, category=register["health-checks"], date=datetime.date(2019, 6, 1)
        ),
    }


def counts(run: DisposalRun) -> dict[str, tuple[int, int]]:
    return {line.category.code: (line.due, line.held) for line in run.lines.all()}


def move(client, run, to):
    response = client.post(
        f"/admin/retention/disposalrun/{run.pk}/move/{to}/", {"_state": run.state, "_confirm": "1"}
    )
    run.refresh_from_db()
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_art22_the_daily_job_opens_a_run_of_the_counts_per_category_and_erases_nothing(
    old_and_new,
):
    call_command("open_disposal_run", stdout=io.StringIO())

    run = DisposalRun.objects.get()
    assert run.state == DisposalRun.State.CREATED and run.get_state_display() == "作成済み"
    assert counts(run) == {"receipts": (1, 0), "health-checks": (1, 0)}
    assert run.four_eyes  # 特定健診 is 要配慮
    assert Record.objects.count() == 3
    event = Event.objects.get(action=Action.RETENTION_DISPOSALRUN_OPENED)
    assert event.details["records"] == 2 and NAME not in str(event.details)
    # The next day's job opens no second run while this one waits.
    call_command("open_disposal_run", stdout=io.StringIO())
    assert DisposalRun.objects.count() == 1


def test_tokutei_kenshin_kijun_art10_a_checkup_goes_at_the_end_of_the_fiscal_year_after_the_move(
    register,
):
    moved = MemberFactory(lost_on=datetime.date(2024, 6, 30))  # FY2024: kept to 31 March 2026
    stayed = MemberFactory()
    for member in (moved, stayed):
        RecordFactory(
            member=member, category=register["health-checks"], date=datetime.date(2024, 5, 1)
        )

    run = open_run(today=TODAY)

    assert counts(run) == {"health-checks": (1, 0)}
    assert run.lines.get().category.kept_until(
        datetime.date(2024, 5, 1), lost_on=moved.lost_on
    ) == datetime.date(2026, 3, 31)


def test_art22_a_pending_request_holds_its_members_records_and_the_run_lists_it(
    old_and_new, privacy_officer, second_officer
):
    member = old_and_new["member"]
    pending = RequestFactory(member=member, state=Request.State.REVIEW)

    run = open_run(today=TODAY)

    assert counts(run) == {"receipts": (1, 1), "health-checks": (1, 1)}
    holds = list(run.holds.values_list("reason", "matter_id", "member_id", "records"))
    assert sorted(holds) == [
        (DisposalHold.Reason.REQUEST, pending.pk, member.pk, 1),
        (DisposalHold.Reason.REQUEST, pending.pk, member.pk, 1),
    ]
    transition(run, DisposalRun.State.APPROVED, by=privacy_officer)
    transition(run, DisposalRun.State.CARRIED_OUT, by=privacy_officer)
    assert Record.objects.filter(member=member).count() == 3  # held, kept


def test_art22_only_the_privacy_officer_approves(old_and_new, auditor):
    run = open_run(today=TODAY)
    with pytest.raises(NotAllowed, match="個人情報取扱責任者が行います"):
        transition(run, DisposalRun.State.APPROVED, by=auditor)


def test_art22_a_sensitive_run_waits_for_a_second_officer_then_erases_and_is_certified(
    client,
    old_and_new,
    privacy_officer,
    second_officer,
    auditor,
    django_capture_on_commit_callbacks,
):
    run = open_run(today=TODAY)
    sign_in_verified(client, privacy_officer)
    assert any("承認する" in m for m in move(client, run, DisposalRun.State.APPROVED))
    assert run.state == DisposalRun.State.APPROVED and run.approved_by == privacy_officer

    messages = move(client, run, DisposalRun.State.CARRIED_OUT)

    assert run.state == DisposalRun.State.APPROVED
    assert any("別の個人情報取扱責任者の承認が必要です" in m for m in messages), messages
    assert Record.objects.count() == 3
    approval = Approval.objects.get(kind=Approval.Kind.DISPOSAL, state=Approval.State.PENDING)
    approvals.approve(approval=approval, by=second_officer)

    with django_capture_on_commit_callbacks(execute=True):
        move(client, run, DisposalRun.State.CARRIED_OUT)

    assert run.state == DisposalRun.State.CARRIED_OUT and run.carried_out_by == privacy_officer
    left = set(Record.objects.values_list("pk", flat=True))
    assert left == {old_and_new["new_receipt"].pk}
    (line,), _refused = erasure_ledger.read()
    assert line.entry["reference"] == run.reference and line.entry["request"] is None
    assert sorted(line.entry["records"]) == sorted(
        [old_and_new["old_receipt"].pk, old_and_new["old_checkup"].pk]
    )
    deleted = Event.objects.filter(action=Action.RECORDS_RECORD_DELETED)
    assert deleted.count() == 2
    assert Event.objects.filter(
        action=Action.RETENTION_DISPOSALRUN_MOVED, details__to=DisposalRun.State.CARRIED_OUT
    ).exists()

    # The 監事 reads the certificate: the page and its PDF.
    client.logout()
    sign_in_verified(client, auditor)
    page = client.get(f"/reports/disposals/{run.pk}/").content.decode()
    pdf = client.get(f"/reports/disposals/{run.pk}/?format=pdf")
    text = pdf_text(pdf.content)
    for shown in (page, text.replace("\n", "")):
        assert "廃棄記録" in shown
        assert "データベースからの削除・暗号鍵の破棄" in shown
        assert "レセプトに関する情報" in shown and "健康診査に関する情報" in shown
        assert "privacy_officer" in shown and "second_officer" in shown
        assert NAME not in shown and "対象期間" not in shown
    listing = client.get("/reports/disposals/").content.decode()
    assert f'href="/reports/disposals/{run.pk}/"' in listing and "実施済み" in listing


def test_art22_a_former_member_with_nothing_left_is_erased_whole_and_their_key_destroyed(
    register, privacy_officer, second_officer, django_capture_on_commit_callbacks
):
    gone = MemberFactory(name=NAME, lost_on=datetime.date(2020, 3, 31))
    RecordFactory(member=gone, category=register["receipts"], date=datetime.date(2019, 6, 1))
    keystore.data_keys([gone.pk], create=True)  # their data key exists
    current = MemberFactory(lost_on=None)

    run = open_run(today=TODAY)
    assert run.members_due == 1 and run.four_eyes
    transition(run, DisposalRun.State.APPROVED, by=privacy_officer)
    with pytest.raises(approvals.ApprovalPending) as pending:
        transition(run, DisposalRun.State.CARRIED_OUT, by=privacy_officer)
    approvals.approve(approval=pending.value.file(), by=second_officer)
    with django_capture_on_commit_callbacks(execute=True):
        transition(run, DisposalRun.State.CARRIED_OUT, by=privacy_officer)

    assert not Member.objects.filter(pk=gone.pk).exists()
    assert Member.objects.filter(pk=current.pk).exists()
    assert run.members_erased == 1 and run.lines.get().erased == 1  # their receipt, counted
    lines = [line.entry for line in erasure_ledger.read()[0]]
    assert any(entry["member"] == gone.pk and entry["categories"] is None for entry in lines)
    assert keystore.data_keys([gone.pk]) == {}


def test_art22_a_move_drawn_on_a_stale_page_or_by_the_auditor_is_refused(
    client, old_and_new, privacy_officer, auditor
):
    run = open_run(today=TODAY)
    sign_in_verified(client, privacy_officer)
    url = f"/admin/retention/disposalrun/{run.pk}/move/{DisposalRun.State.CARRIED_OUT}/"

    stale = client.post(url, {"_state": DisposalRun.State.APPROVED, "_confirm": "1"})
    off_table = client.post(url, {"_state": run.state, "_confirm": "1"})
    unknown = client.post(url.replace("carried_out", "nowhere"), {"_state": run.state})

    messages = [str(m) for m in get_messages(off_table.wsgi_request)]
    assert any("他の職員が先に処理し" in str(m) for m in get_messages(stale.wsgi_request))
    assert any(
        "「作成済み」の廃棄の実施を「実施済み」にすることはできません" in m for m in messages
    )
    assert unknown.status_code == 404
    # The run's page saves nothing: its fields are the run's own.
    page = client.get(f"/admin/retention/disposalrun/{run.pk}/change/").content.decode()
    assert 'name="_save"' not in page and "承認する" in page
    assert client.post(f"/admin/retention/disposalrun/{run.pk}/change/", {}).status_code == 403
    client.logout()
    sign_in_verified(client, auditor)
    refused = client.post(url.replace("carried_out", "approved"), {"_state": run.state})
    assert refused.status_code == 403
    run.refresh_from_db()
    assert run.state == DisposalRun.State.CREATED and Record.objects.count() == 3


def test_art22_an_open_complaint_holds_its_members_records_and_an_open_incident_its_category(
    old_and_new, register, privacy_officer
):
    from complaints.models import Complaint
    from complaints.tests.factories import ComplaintFactory
    from safeguards.models import Incident

    member = old_and_new["member"]
    complaint = ComplaintFactory(member=member, state=Complaint.State.INVESTIGATING)
    other = MemberFactory()
    RecordFactory(member=other, category=register["receipts"], date=datetime.date(2018, 1, 5))
    incident = Incident.objects.create(
        kind=Incident.Kind.LOSS,
        summary="USBメモリの紛失",
        discovered_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        reported_by=privacy_officer,
    )
    incident.categories.add(register["receipts"])

    run = open_run(today=TODAY)

    held = {(h.reason, h.matter_id, h.member_id, h.category.code) for h in run.holds.all()}
    assert held == {
        (DisposalHold.Reason.COMPLAINT, complaint.pk, member.pk, "receipts"),
        (DisposalHold.Reason.COMPLAINT, complaint.pk, member.pk, "health-checks"),
        (DisposalHold.Reason.INCIDENT, incident.pk, other.pk, "receipts"),
    }
    assert counts(run) == {"receipts": (2, 2), "health-checks": (1, 1)}


def test_art22_a_disposal_is_carried_out_again_on_a_database_restored_from_before_it(
    register, privacy_officer, second_officer, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from disclosure.tests.test_erasure_ledger import Lost, replay_erasures

    gone = MemberFactory(lost_on=datetime.date(2020, 3, 31))  # 資格: kept to 30 March 2025
    old = RecordFactory(
        member=gone, category=register["eligibility"], date=datetime.date(2016, 4, 1)
    )
    kept = MemberFactory()
    RecordFactory(member=kept, category=register["eligibility"], date=datetime.date(2016, 4, 1))
    run = open_run(today=TODAY)
    transition(run, DisposalRun.State.APPROVED, by=privacy_officer)
    with pytest.raises(approvals.ApprovalPending) as pending:  # a member erased whole
        transition(run, DisposalRun.State.CARRIED_OUT, by=privacy_officer)
    approvals.approve(approval=pending.value.file(), by=second_officer)

    with pytest.raises(Lost), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            transition(run, DisposalRun.State.CARRIED_OUT, by=privacy_officer)
        assert not Member.objects.filter(pk=gone.pk).exists()
        raise Lost
    assert Record.objects.filter(pk=old.pk).exists()  # back, as in the backup

    assert "再適用 1 件" in replay_erasures()

    assert not Member.objects.filter(pk=gone.pk).exists()
    assert Member.objects.filter(pk=kept.pk).exists()
