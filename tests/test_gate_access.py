"""The gate itself: scope, purpose, restrictions, the one access event, refusals."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit.models import Event
from audit.tests.fixtures import audit_transactional_db  # noqa: F401  (a fixture)
from audit.vocabulary import Action
from purposes.models import Purpose
from records import gate
from records.models import Restriction
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import StatutoryAccessReason, StatutoryGround
from safeguards.scopes import grant_scope

CHECKUP = "checkup-reminder"  # permitted for health-checks, not for receipts
NOTICE = "medical-expense-notice"  # permitted for receipts, not for health-checks


def read(user, purpose=CHECKUP, **kwargs):
    with gate.ledger():
        access = gate.open_access(user=user, surface=gate.Surface.ADMIN, purpose=purpose, **kwargs)
        return list(gate.records(access)), list(gate.members(access))


def test_it_keeps_only_the_categories_in_scope(handler_kenshin, kenshin_and_receipt):
    records, members = read(handler_kenshin)
    assert records == [kenshin_and_receipt["kenshin"]]
    assert members == [kenshin_and_receipt["checked"]]


def test_it_refuses_a_purpose_outside_the_register(handler_kenshin, kenshin_and_receipt):
    with pytest.raises(gate.PurposeNotPermitted) as refused:
        read(handler_kenshin, purpose=NOTICE)
    assert "医療費通知の発行" in str(refused.value)
    assert "選び直して" in str(refused.value)
    event = Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED)
    assert event.details == {"surface": "admin", "reason": "purpose_not_permitted"}
    assert event.purpose == NOTICE


def test_it_refuses_a_missing_purpose_and_an_unknown_one(handler_kenshin):
    with pytest.raises(gate.PurposeMissing):
        read(handler_kenshin, purpose=None)
    with pytest.raises(gate.PurposeNotPermitted):
        read(handler_kenshin, purpose="<script>")
    assert list(
        Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED).values_list("purpose", flat=True)
    ) == [
        "",
        "",
    ]


@pytest.mark.parametrize("purpose", [NOTICE, "no-such-purpose"])
def test_a_refused_purpose_is_looked_up_once_at_most(handler_kenshin, register, purpose):
    read(handler_kenshin)  # the register's parse, kept per process
    with CaptureQueriesContext(connection) as queries, pytest.raises(gate.PurposeNotPermitted):
        read(handler_kenshin, purpose=purpose)
    lookups = [q for q in queries.captured_queries if '"purposes_purpose"' in q["sql"]]
    assert len(lookups) <= 1
    recorded = Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED).values_list(
        "purpose", flat=True
    )
    assert list(recorded) == [NOTICE if purpose == NOTICE else ""]


def test_it_refuses_a_user_without_scope(outsider, register):
    with pytest.raises(gate.OutOfScope) as refused:
        read(outsider)
    assert "個人情報取扱責任者" in str(refused.value)


def test_it_refuses_a_handler_without_a_pledge(register, privacy_officer):
    from django.contrib.auth.models import User

    newcomer = User.objects.create_user("newcomer", is_staff=True)
    grant_scope(user=newcomer, category=register["health-checks"], by=privacy_officer)
    with pytest.raises(gate.StandingLapsed) as refused:
        read(newcomer)
    assert "誓約書" in str(refused.value)
    assert (
        Event.objects.get(action=Action.RECORDS_ACCESS_REFUSED).details["reason"]
        == "standing_lapsed"
    )


def test_a_member_grant_reaches_that_member_only(outsider, privacy_officer, register):
    granted, other = MemberFactory(), MemberFactory()
    mine = RecordFactory(member=granted, category=register["health-checks"])
    RecordFactory(member=other, category=register["health-checks"])
    RecordFactory(member=granted, category=register["receipts"])  # not for this purpose
    grant_scope(user=outsider, member=granted, by=privacy_officer)
    records, members = read(outsider)
    assert records == [mine]
    assert members == [granted]


def test_category_and_member_grants_together_reach_each_only_once(
    handler_kenshin, privacy_officer, register
):
    """A category grant, OR a member's records in the purpose's other categories."""
    granted, other = MemberFactory(), MemberFactory()
    both = "sickness-allowance"  # permitted for medical-status and work-status
    grant_scope(user=handler_kenshin, category=register["medical-status"], by=privacy_officer)
    grant_scope(user=handler_kenshin, member=granted, by=privacy_officer)
    mine = [
        RecordFactory(member=granted, category=register["medical-status"]),
        RecordFactory(member=granted, category=register["work-status"]),
        RecordFactory(member=other, category=register["medical-status"]),
    ]
    RecordFactory(member=other, category=register["work-status"])  # neither grant
    RecordFactory(member=granted, category=register["receipts"])  # not for this purpose
    with gate.ledger():
        access = gate.open_access(user=handler_kenshin, surface="api", purpose=both)
        rows = gate.records(access)
        assert sorted(r.pk for r in rows) == sorted(r.pk for r in mine)
        assert rows.count() == 3
        assert sorted(m.pk for m in gate.members(access)) == sorted([granted.pk, other.pk])


def test_the_count_of_category_and_member_grants_reads_each_branch_by_its_own_index(
    handler_kenshin, privacy_officer, register
):
    """Issue 16: under `category IN (...) OR (member granted AND category IN (...))` PostgreSQL
    read the whole member index to count (600 ms at 2,000,000 records); the count takes the
    two disjoint branches one at a time, and still leaves out what a 利用停止 withholds."""
    granted, other, stopped = MemberFactory(), MemberFactory(), MemberFactory()
    both = "sickness-allowance"  # permitted for medical-status and work-status
    grant_scope(user=handler_kenshin, category=register["medical-status"], by=privacy_officer)
    for member in (granted, stopped):
        grant_scope(user=handler_kenshin, member=member, by=privacy_officer)
        RecordFactory(member=member, category=register["work-status"])
    for member in (granted, other, stopped):
        RecordFactory(member=member, category=register["medical-status"])
    Restriction.objects.create(
        member=stopped, kind=Restriction.Kind.SUSPEND_USE, since=datetime.date(2020, 1, 1)
    )
    with gate.ledger():
        access = gate.open_access(user=handler_kenshin, surface="api", purpose=both)
        rows = gate.records(access)
        with CaptureQueriesContext(connection) as counted:
            count = rows.count()
        filtered = rows.filter(category=register["work-status"])
        assert (count, filtered.count()) == (len(rows), len(filtered)) == (3, 1)
    (statement,) = [q["sql"] for q in counted.captured_queries if "COUNT(*)" in q["sql"]]
    # The rows in scope branch by branch, then the withheld ones. On PostgreSQL the whole
    # category's branch reads its tally (records.models.Tally), the members' counts rows.
    tallied = connection.vendor == "postgresql"
    assert statement.count("SELECT COUNT(*) FROM (") == (2 if tallied else 3)
    assert statement.count("FROM records_tally") == (1 if tallied else 0)
    in_scope = statement.split(" - ")[0]
    assert " OR " not in in_scope


def test_a_restriction_hides_a_record_for_that_purpose_only(handler_kenshin, kenshin_and_receipt):
    Restriction.objects.create(
        member=kenshin_and_receipt["checked"],
        kind=Restriction.Kind.SUSPEND_USE,
        purpose=Purpose.objects.get(code=CHECKUP),
        since=datetime.date(2020, 1, 1),
    )
    assert read(handler_kenshin) == ([], [])
    other_purpose = "checkup-result-analysis"
    assert read(handler_kenshin, purpose=other_purpose)[0] == [kenshin_and_receipt["kenshin"]]


def test_a_restriction_that_ended_hides_nothing(handler_kenshin, kenshin_and_receipt):
    Restriction.objects.create(
        member=kenshin_and_receipt["checked"],
        kind=Restriction.Kind.SUSPEND_USE,
        since=datetime.date(2020, 1, 1),
        until=datetime.date(2020, 12, 31),
    )
    assert read(handler_kenshin)[0] == [kenshin_and_receipt["kenshin"]]


def test_it_appends_one_event_for_all_the_reads_of_a_block(handler_kenshin, kenshin_and_receipt):
    read(handler_kenshin)
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert event.purpose == CHECKUP
    assert event.actor_id == handler_kenshin.pk
    assert event.details == {
        "surface": "admin",
        "members": [kenshin_and_receipt["checked"].pk],
        "categories": ["health-checks"],
        "rows": 2,
    }


def test_reading_nothing_appends_nothing(handler_kenshin, register):
    read(handler_kenshin)
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_READ).exists()


def test_a_rolled_back_block_leaves_no_event(handler_kenshin, kenshin_and_receipt):
    with pytest.raises(ZeroDivisionError), gate.ledger():
        access = gate.open_access(user=handler_kenshin, surface="admin", purpose=CHECKUP)
        list(gate.records(access))
        1 / 0  # noqa: B018
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_READ).exists()


def test_reading_outside_a_ledger_is_an_error(handler_kenshin, kenshin_and_receipt):
    with gate.ledger():
        access = gate.open_access(user=handler_kenshin, surface="admin", purpose=CHECKUP)
    with pytest.raises(RuntimeError):
        list(gate.records(access))


def test_a_statutory_read_is_flagged_and_its_reason_kept_apart(
    handler_kenshin, kenshin_and_receipt
):
    statutory = gate.Statutory(
        ground=StatutoryGround.LAW, reason="警察署からの照会（刑訴法197条2項）"
    )
    Restriction.objects.create(
        member=kenshin_and_receipt["checked"],
        kind=Restriction.Kind.SUSPEND_USE,
        since=datetime.date(2020, 1, 1),
    )
    records, _members = read(handler_kenshin, purpose=None, statutory=statutory)
    assert records == [kenshin_and_receipt["kenshin"]]
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert event.details["statutory"] is True
    assert event.details["ground"] == "law"
    assert "警察" not in str(event.details)
    assert StatutoryAccessReason.objects.get(event_seq=event.seq).reason.startswith("警察署")


def test_a_subject_read_reaches_that_person_in_every_category_and_no_one_else(
    outsider, kenshin_and_receipt
):
    # The outsider holds no scope at all: a subject's read does not ask for one.
    treated = kenshin_and_receipt["treated"]
    statutory = gate.Statutory(ground=StatutoryGround.LAW, reason="開示等の請求への対応")
    subject = gate.Subject(filing=treated, lookups=(("pk", treated.pk),))
    access = gate.open_access(
        user=outsider, surface=gate.Surface.DISCLOSURE, statutory=statutory, subject=subject
    )
    with gate.ledger():
        assert list(gate.records(access)) == [kenshin_and_receipt["receipt"]]
        assert list(gate.members(access)) == [treated]
        assert not gate.may_hold(
            access, member=kenshin_and_receipt["checked"], category=treated.records.get().category
        )
    event = Event.objects.get(action=Action.RECORDS_ACCESS_READ)
    assert (event.target_type, event.target_id) == ("records.member", str(treated.pk))
    assert event.details["members"] == [treated.pk]
    with pytest.raises(ValueError):  # never with a purpose: the Act's ground, stated
        gate.open_access(user=outsider, surface=gate.Surface.DISCLOSURE, subject=subject)


def test_a_statutory_read_needs_a_reason():
    with pytest.raises(ValueError):
        gate.Statutory(ground=StatutoryGround.LAW, reason=" ")


def test_the_picker_offers_only_purposes_of_the_scope(handler_kenshin):
    groups = dict(gate.choosable_purposes(handler_kenshin))
    assert list(groups) == ["健康診査に関する情報"]
    codes = {code for code, _name in groups["健康診査に関する情報"]}
    assert CHECKUP in codes
    assert NOTICE not in codes


@pytest.mark.usefixtures("audit_transactional_db")
def test_a_refusal_is_committed_although_the_block_rolls_back(handler_kenshin):
    with pytest.raises(gate.PurposeMissing), gate.ledger():
        gate.open_access(user=handler_kenshin, surface="api", purpose="")
    with transaction.atomic():
        assert Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED).count() == 1


def test_the_count_leaves_out_what_a_restriction_withholds(handler_receipt, register):
    kept, stopped, elsewhere = MemberFactory(), MemberFactory(), MemberFactory()
    for member in (kept, stopped, elsewhere):
        RecordFactory.create_batch(2, member=member, category=register["receipts"])
    Restriction.objects.create(
        member=stopped, kind=Restriction.Kind.SUSPEND_USE, since=datetime.date(2020, 1, 1)
    )
    Restriction.objects.create(
        member=elsewhere,
        kind=Restriction.Kind.SUSPEND_USE,
        category=register["health-checks"],
        since=datetime.date(2020, 1, 1),
    )
    with gate.ledger():
        access = gate.open_access(user=handler_receipt, surface="api", purpose=NOTICE)
        rows = gate.records(access)
        assert rows.count() == len(list(rows)) == 4
        assert rows.filter(member=stopped).count() == 0
        assert rows.filter(member=kept).count() == 2
        assert rows.none().count() == 0
        assert (rows | rows.filter(member=stopped)).count() == 4


def test_a_scope_granted_through_a_group_reaches_its_records(
    outsider, privacy_officer, register, kenshin_and_receipt
):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    team, granted = Group.objects.create(name="健診チーム"), MemberFactory()
    mine = RecordFactory(member=granted, category=register["medical-status"])
    outsider.groups.add(team)
    assign_perm("purposes.handle_category", team, register["health-checks"])
    assign_perm("records.handle_member", team, granted)
    with gate.ledger():
        access = gate.open_access(user=outsider, surface="api", purpose="sickness-allowance")
        assert list(gate.records(access)) == [mine]  # the member, for the purpose
    records, _members = read(outsider)
    assert records == [kenshin_and_receipt["kenshin"]]  # the category


def test_another_permission_on_a_category_is_no_scope(outsider, register):
    from guardian.shortcuts import assign_perm

    assign_perm("purposes.view_category", outsider, register["health-checks"])
    with pytest.raises(gate.OutOfScope):
        read(outsider)


def test_it_refuses_a_handler_whose_training_has_lapsed(handler_kenshin):
    from safeguards.models import Attendance

    lapses_on = Attendance.objects.get(user=handler_kenshin).lapses_on
    assert read(handler_kenshin, on=lapses_on - datetime.timedelta(days=1)) == ([], [])
    with pytest.raises(gate.StandingLapsed) as refused:
        read(handler_kenshin, on=lapses_on + datetime.timedelta(days=1))
    assert "有効期限" in str(refused.value)
