"""消去: after a decided erasure is carried out and the request closed, a dump of every table
holds none of the erased values, and the audit chain still verifies."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from audit.models import Event
from audit.vocabulary import Action
from core.workflow import transition
from disclosure import services
from disclosure.models import DecisionItem, IdentityDocument, Kind, Letter, Package, Request
from records import gate
from records.models import Consent, Member, Record, ThirdPartyProvision
from records.services import consent_record, member_erase, provision_register
from safeguards.models import Approval
from safeguards.testing import second_officer_approves

from .conftest import BIRTH, JPEG, KANA, NAME
from .factories import RequestFactory

pytestmark = pytest.mark.django_db

# What must leave the database: the member's own values and every payload value or title.
ERASED = [NAME, KANA, "1971-03-04", "19710304", "消去健診センター", "消去クリニック"]
ERASED += ["消去用の健診記録", "消去用のレセプト", "消去町3-4", "訂正後の消去センター"]
# The case of the erasures granted here: the member wrote 「不要」 (APPI Art. 35(5)).
NO_LONGER_NEEDED = DecisionItem.Case.NO_LONGER_NEEDED


def filed_for(member, **extra) -> Request:
    request = RequestFactory(
        member_symbol=member.symbol,
        member_number=member.number,
        member_branch=member.branch,
        name=NAME,
        name_kana=KANA,
        birth_date=BIRTH,
        address="東京都消去町3-4",
        **extra,
    )
    IdentityDocument.objects.create(
        request=request,
        role=IdentityDocument.Role.IDENTITY,
        file=_saved("licence.jpg"),
        content_type="image/jpeg",
        size=len(JPEG),
        sha256="0" * 64,
    )
    return request


def _saved(name):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save(f"disclosure/documents/{name}", ContentFile(JPEG))


def answer(request, member, officer, items, *, close=True):
    transition(request, Request.State.IDENTITY_CHECK, by=officer)
    services.request_match(request=request, member=member, by=officer)
    for record in Record.objects.filter(member=member, category__code="receipts"):
        services.consultation_record(
            request=request,
            by=officer,
            receipts=[record.pk],
            institution="消去クリニック",
            asked_on=datetime.date(2026, 4, 2),
            answered_on=datetime.date(2026, 4, 3),
            hinders_care=False,
        )
    services.request_decide(request=request, items=items, reasons="", by=officer)
    # Four eyes: a second officer approved the package's release and a whole erasure.
    for kind in (Approval.Kind.PACKAGE_RELEASE, Approval.Kind.MEMBER_ERASURE):
        second_officer_approves(kind, request)
    services.request_carry_out(request=request, by=officer)
    if close:
        services.request_close(request=request, by=officer)
    request.refresh_from_db()
    return request


def table_dump() -> str:
    """Every row of every table, as the database hands it out (COPY on PostgreSQL)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if connection.vendor == "postgresql":
                with cursor.connection.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                    chunks.extend(bytes(block).decode() for block in copy)
            else:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the schema)
                chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def dumpdata() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return json.dumps(json.loads(out.getvalue()), ensure_ascii=False)


def test_it_leaves_no_erased_value_in_a_dump_and_the_chain_verifies(
    member, officer, register, django_capture_on_commit_callbacks, settings
):
    before = dumpdata() + table_dump()
    # The dump would show the member; their health check is sealed, in no dump (issue 16).
    assert NAME in before and "消去健診センター" not in table_dump()
    with gate.ledger(), django_capture_on_commit_callbacks(execute=True):
        consent_record(  # APPI Art. 27(1): the consent the provision rests on
            member=member,
            kind=Consent.Kind.CONSENT,
            method=Consent.Method.WRITING,
            given_on=datetime.date(2020, 1, 1),
            recipient="A生命保険株式会社",
            by=officer,
        )
        provision_register(
            member=member,
            category=register["health-checks"],
            recipient="A生命保険株式会社",
            provided_on=datetime.date(2020, 4, 1),  # kept three years: past its period
            items=["健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
            by=officer,
        )
        earlier = answer(
            filed_for(member, include_provision_records=True),
            member,
            officer,
            [
                {"kind": Kind.DISCLOSURE, "granted": True},
                {
                    "kind": Kind.CORRECTION,
                    "granted": True,
                    "record_id": Record.objects.get(
                        member=member, category=register["health-checks"]
                    ).pk,
                    "field": "facility",
                    "new_value": "訂正後の消去センター",
                },
            ],
        )
        assert earlier.packages.count() == 1
        current = filed_for(member, kinds=[Kind.DISCLOSURE, Kind.ERASURE], grounds="不要")
        answer(
            current,
            member,
            officer,
            [
                {"kind": Kind.DISCLOSURE, "granted": True},
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                },
            ],
            close=False,
        )
        # Carried out: the member and the earlier copies are gone; this request still
        # holds its filing, letters and package for the requester until it closes.
        assert not Member.objects.filter(pk=member.pk).exists()
        current.refresh_from_db()
        assert current.member is None and current.name == NAME
        assert current.packages.exists() and all(x.file for x in current.letters.all())
        services.request_close(request=current, by=officer)

    dumped = dumpdata() + table_dump()
    assert [value for value in ERASED if value in dumped] == []
    assert Record.objects.count() == 0 and ThirdPartyProvision.objects.count() == 0
    assert not Package.objects.exists() and not IdentityDocument.objects.exists()
    assert not Letter.objects.exclude(file="").exists()
    assert not [p for p in (settings.MEDIA_ROOT / "disclosure").rglob("*") if p.is_file()]
    for request in (earlier, current):
        request.refresh_from_db()
        assert request.state == Request.State.CLOSED
        assert len(request.identity_digest) == 64 and request.birth_date is None
        assert (request.member_number, request.name, request.address) == ("", "", "")
        assert request.items.exists()  # the decision stays
    assert not DecisionItem.objects.exclude(new_value="").exists()
    kept = Letter.objects.filter(request=current, sha256__regex=r"^[0-9a-f]{64}$")
    assert sorted(kept.values_list("kind", flat=True)) == ["completion", "decision"]
    deleted = Event.objects.filter(action=Action.RECORDS_RECORD_DELETED)
    fields = {field for event in deleted for field in event.details["fields"]}
    assert deleted.count() == 2 and {"facility", "height_cm", "institution_name"} <= fields
    call_command("verify_audit", stdout=io.StringIO())


def test_it_erases_one_category_and_keeps_the_member(member, officer, register):
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with gate.ledger():
        answer(
            request,
            member,
            officer,
            [
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "category": register["health-checks"],
                }
            ],
        )
    assert Member.objects.filter(pk=member.pk, name=NAME).exists()
    assert list(Record.objects.values_list("category__code", flat=True)) == ["receipts"]
    request.refresh_from_db()
    assert request.name == NAME and request.identity_digest == ""


def test_it_keeps_the_person_while_a_provision_record_must_be_kept(member, officer, register):
    with gate.ledger():
        consent_record(  # APPI Art. 27(1): the consent the provision rests on
            member=member,
            kind=Consent.Kind.CONSENT,
            method=Consent.Method.WRITING,
            given_on=datetime.date(2020, 1, 1),
            recipient="A生命保険株式会社",
            by=officer,
        )
        provision_register(
            member=member,
            category=register["health-checks"],
            recipient="A生命保険株式会社",
            provided_on=datetime.date.today(),
            items=["健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
            by=officer,
        )
    with pytest.raises(ValidationError, match="第三者提供記録の保存期間中"):
        member_erase(member=member, by=officer, reason_ref="260401-000001")
    assert Record.objects.filter(member=member).count() == 2


def test_it_waits_for_the_members_other_open_requests(member, officer):
    filed_for(member)  # received, not yet answered
    request = filed_for(member, kinds=[Kind.ERASURE], grounds="不要")
    with gate.ledger(), pytest.raises(ValidationError, match="処理中の他の請求"):
        answer(
            request,
            member,
            officer,
            [
                {
                    "kind": Kind.ERASURE,
                    "granted": True,
                    "case": NO_LONGER_NEEDED,
                    "whole_confirmed": True,
                }
            ],
        )
    assert Member.objects.filter(pk=member.pk).exists()
