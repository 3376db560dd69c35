"""From the web form to the effect on the data: disclosure with a withheld receipt, a
correction, a 利用停止 and the purposes letter, in one request."""

import datetime
import io
import json
import re
import zipfile

import pytest

from audit.models import Event
from audit.vocabulary import Action
from core.workflow import transition
from disclosure import services
from disclosure.models import DecisionItem, Kind, Request
from records import gate
from records.models import Restriction
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.models import Approval
from safeguards.testing import second_officer_approves

from .test_filing import FULL_WIDTH, draft_of

pytestmark = pytest.mark.django_db
HEALTH_CHECK = {
    "examined_on": "2025-06-01",
    "facility": "旧健診センター",
    "height_cm": 160,
    "weight_kg": 50,
    "bmi": 19.5,
}
RECEIPT = {
    "treatment_month": "2025-05",
    "institution_code": "1310000001",
    "institution_name": "千代田病院",
    "setting": "外来",
    "points": 350,
}


@pytest.fixture
def member(register):
    member = MemberFactory(
        symbol="1001",
        number="23",
        branch="01",
        name="山田花子",
        name_kana="ヤマダハナコ",
        birth_date=datetime.date(1980, 1, 2),
    )
    return {
        "member": member,
        "check": RecordFactory(
            member=member, category=register["health-checks"], payload=HEALTH_CHECK
        ),
        "told": RecordFactory(member=member, category=register["receipts"], payload=RECEIPT),
        "untold": RecordFactory(
            member=member, category=register["receipts"], payload=RECEIPT, title="秘匿レセプト"
        ),
    }


def file_on_the_web(client, jpeg) -> tuple[Request, str]:
    data = {**FULL_WIDTH, "kinds": ["purpose_notice", "disclosure", "correction", "suspension"]}
    data |= {"grounds": "目的外に利用されているため", "include_provision_records": "on"}
    response = client.post("/requests/new/", {**data, "identity_document": jpeg()})
    client.post("/requests/confirm/", {"draft": draft_of(response), "send": "1"})
    token = re.search(r"#t=([\w-]+)", client.get("/requests/done/").content.decode()).group(1)
    return Request.objects.get(), token


def test_it_carries_a_request_from_the_form_to_the_data(client, jpeg, member, officer, register):
    filed, token = file_on_the_web(client, jpeg)
    with gate.ledger():
        transition(filed, Request.State.IDENTITY_CHECK, by=officer)
        assert services.identity_candidates(request=filed, by=officer) == [member["member"]]
        services.request_match(request=filed, member=member["member"], by=officer)
        for record, harm in ((member["told"], False), (member["untold"], True)):
            services.consultation_record(
                request=filed,
                by=officer,
                receipts=[record.pk],
                institution="千代田病院",
                asked_on=datetime.date(2026, 4, 2),
                answered_on=datetime.date(2026, 4, 3),
                hinders_care=harm,
            )
        services.request_decide(
            request=filed,
            reasons="",
            by=officer,
            items=[
                {"kind": Kind.PURPOSE_NOTICE, "granted": True},
                {"kind": Kind.DISCLOSURE, "granted": True, "category": register["health-checks"]},
                {"kind": Kind.DISCLOSURE, "granted": True, "category": register["receipts"]},
                {
                    "kind": Kind.CORRECTION,
                    "granted": True,
                    "record_id": member["check"].pk,
                    "field": "facility",
                    "new_value": "千代田健診センター",
                },
                {
                    "kind": Kind.SUSPENSION,
                    "granted": False,
                    "case": DecisionItem.Case.OUT_OF_PURPOSE,
                    "ground": DecisionItem.Ground.NO_REASON,
                    "reason": "保険給付の審査に必要な利用で、目的外の利用ではありません。",
                },
            ],
        )
        filed.refresh_from_db()
        assert filed.outcome == Request.Outcome.PARTIAL
        # Four eyes: the package holds 要配慮個人情報 (safeguards.approvals).
        second_officer_approves(Approval.Kind.PACKAGE_RELEASE, filed)
        services.request_carry_out(request=filed, by=officer)

    filed.refresh_from_db()
    assert filed.state == Request.State.CARRIED_OUT
    member["check"].refresh_from_db()
    assert member["check"].payload["facility"] == "千代田健診センター"
    assert not Restriction.objects.exists()  # the 利用停止 was refused, with its reason
    kinds = list(filed.letters.values_list("kind", flat=True))
    assert kinds == ["acknowledgement", "decision", "purposes", "completion"]
    read = Event.objects.filter(
        action=Action.RECORDS_ACCESS_READ, target_type="disclosure.request"
    ).last()
    assert read.details["statutory"] is True and read.details["surface"] == "disclosure"

    client.get(f"/requests/status/{filed.receipt_number}/?t={token}")
    page = client.get(f"/requests/status/{filed.receipt_number}/").content.decode()
    assert "実施済み" in page and "開示データの受け取り" in page
    wrong = client.post(
        f"/requests/status/{filed.receipt_number}/download/", {"birth_date": "1980-01-03"}
    )
    assert "生年月日が一致しません" in wrong.content.decode()
    # Not a date at all: the page says the form to use, not that the dates differ.
    malformed = client.post(
        f"/requests/status/{filed.receipt_number}/download/", {"birth_date": "1980年13月"}
    ).content.decode()
    assert "生年月日は 1985-06-20 または 昭和60年6月20日" in malformed
    assert "一致しません" not in malformed
    response = client.post(
        f"/requests/status/{filed.receipt_number}/download/", {"birth_date": "Ｓ５５．１．２"}
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert {"records.json", "records.csv", "disclosure.pdf", "provisions.json"} <= set(
        archive.namelist()
    )
    rows = {row["id"]: row for row in json.loads(archive.read("records.json"))}
    assert rows[member["told"].pk]["payload"]["institution_name"] == "千代田病院"
    assert rows[member["untold"].pk]["title"] == "［不開示］"
    # The institution's answer is refused on the article alone (defect 5 of issue 14).
    assert "法第33条第2項第1号" in rows[member["untold"].pk]["redacted"]
    assert "診療" not in rows[member["untold"].pk]["redacted"]
    assert "秘匿レセプト" not in archive.read("records.csv").decode("utf-8-sig")
    assert Event.objects.filter(action=Action.DISCLOSURE_PACKAGE_DOWNLOADED).count() == 1


def test_it_waits_for_the_medical_institution_before_deciding_on_receipts(
    client, jpeg, member, officer, register
):
    filed, _token = file_on_the_web(client, jpeg)
    with gate.ledger():
        transition(filed, Request.State.IDENTITY_CHECK, by=officer)
        services.request_match(request=filed, member=member["member"], by=officer)
        with pytest.raises(Exception, match="医療機関への照会が終わっていないレセプト"):
            services.request_decide(
                request=filed,
                reasons="",
                by=officer,
                items=[{"kind": Kind.DISCLOSURE, "granted": True}],
            )
    filed.refresh_from_db()
    assert filed.state == Request.State.REVIEW


def test_it_refuses_an_agent_without_proof_of_authority(client, jpeg, member, officer):
    filed, _token = file_on_the_web(client, jpeg)
    Request.objects.filter(pk=filed.pk).update(filer="legal_agent", agent_name="山田一郎")
    filed.refresh_from_db()
    with gate.ledger():
        transition(filed, Request.State.IDENTITY_CHECK, by=officer)
        with pytest.raises(Exception, match="代理権を証する書類がありません"):
            services.request_match(request=filed, member=member["member"], by=officer)
