"""Processors (委託先, APPI Art. 25), joint use (共同利用, Art. 27(5)(iii)) and the notice's own
fields (Art. 32(1) as amended in 2022): the registers in the admin, the check when a provision
is recorded, and what a person reads on /privacy/."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import Kind, KindPolicy
from purposes.models import Category
from purposes.outsourcing import (
    JointUse,
    Processor,
    ProcessorAudit,
    SocietyProfile,
    publish_joint_use,
)
from records.models import Consent, ThirdPartyProvision
from records.services import ProvisionRefused, consent_record, provision_register
from records.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(register):
    return register


@pytest.fixture
def officer(privacy_officer):
    return privacy_officer


@pytest.fixture
def officer_client(sign_in, officer):
    return sign_in(officer)


TODAY = datetime.date(2026, 12, 5)


def a_processor(**fields) -> Processor:
    processor = Processor.objects.create(
        **{
            "name": "芝健診センター",
            "kind": Processor.Kind.HEALTH_CHECK,
            "work": "特定健康診査の実施と結果の作成",
            "data_items": "氏名、記号・番号、生年月日、健診結果",
            "contract_from": datetime.date(2026, 4, 1),
            "safeguards_checked_on": datetime.date(2026, 3, 15),
            "safeguards_checked": "プライバシーマーク、委託契約書の安全管理条項",
            "subcontracting": Processor.Subcontracting.FORBIDDEN,
            **fields,
        }
    )
    processor.categories.add(Category.objects.get(code="health-checks"))
    return processor


def a_joint_use(**fields) -> JointUse:
    use = JointUse.objects.create(
        **{
            "title": "加入事業所との共同利用",
            "items": "特定健診の結果（リスク区分のみ）",
            "users": "当組合と加入事業所",
            "purpose": "事業主と共同で行う健康づくり",
            "responsible_name": "日本赤十字社健康保険組合",
            "responsible_address": "東京都港区芝大門1-1-3",
            "responsible_representative": "理事長 山田一郎",
            "starts_on": timezone.localdate() + datetime.timedelta(days=30),
            **fields,
        }
    )
    use.categories.add(Category.objects.get(code="health-checks"))
    return use


def test_art25_the_officer_registers_a_processor_with_its_audit(officer_client, loaded):
    health_checks = Category.objects.get(code="health-checks")
    response = officer_client.post(
        reverse("admin:purposes_processor_add"),
        {
            "name": "芝健診センター",
            "kind": "health_check",
            "work": "特定健康診査の実施",
            "data_items": "氏名、健診結果",
            "categories": [health_checks.pk],
            "published": "on",
            "contract_from": "2026-04-01",
            "contract_until": "2027-03-31",
            "safeguards_checked_on": "2026-03-15",
            "safeguards_checked": "プライバシーマーク",
            "subcontracting": "with_consent",
            "subcontractors": "",
            "country": "",
            "foreign_environment": "",
            "audits-TOTAL_FORMS": "1",
            "audits-INITIAL_FORMS": "0",
            "audits-0-audited_on": "2026-10-01",
            "audits-0-method": "on_site",
            "audits-0-findings": "入退室記録の一部欠落",
            "audits-0-follow_up": "11月に改善を確認",
            "audits-0-next_due": "2027-10-01",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    processor = Processor.objects.get()
    assert list(processor.categories.all()) == [health_checks]
    assert processor.audits.get().findings == "入退室記録の一部欠落"
    assert Event.objects.filter(action=Action.PURPOSES_PROCESSOR_CREATED).exists()
    assert Event.objects.filter(action=Action.PURPOSES_PROCESSORAUDIT_CREATED).exists()
    listing = officer_client.get(reverse("admin:purposes_processor_changelist"))
    assert "2026年10月1日" in listing.text or "2026-10-01" in listing.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subcontractors": "株式会社B"}, "subcontractors", "再委託を認めない委託先"),
        ({"country": "米国"}, "foreign_environment", "法第32条第1項第4号"),
        ({"contract_until": "2026-01-01"}, "contract_until", "契約終了日は契約開始日以降"),
        ({"contract_from": "令和八年"}, "contract_from", "日付"),
        ({"name": ""}, "name", "必須"),
        ({"subcontracting": "sometimes"}, "subcontracting", "正しく選択"),
        ({"work": "番号 123456789018"}, "work", "個人番号"),
    ],
)
def test_art25_bad_input_is_refused_beside_its_field(
    officer_client, loaded, changes, field, message
):
    data = {
        "name": "印刷センター",
        "kind": "printing",
        "work": "医療費通知の印刷と発送",
        "data_items": "氏名、住所",
        "categories": [Category.objects.get(code="receipts").pk],
        "contract_from": "2026-04-01",
        "subcontracting": "forbidden",
        "audits-TOTAL_FORMS": "0",
        "audits-INITIAL_FORMS": "0",
        **changes,
    }

    response = officer_client.post(reverse("admin:purposes_processor_add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Processor.objects.exists()


def test_art27_5_1_a_provision_to_a_processor_is_a_consignment_not_a_third_party(
    loaded, privacy_officer
):
    a_processor()
    member = MemberFactory()

    with pytest.raises(ProvisionRefused, match="法第27条第5項第1号"):
        provision_register(
            member=member,
            category=Category.objects.get(code="health-checks"),
            recipient="芝健診センター",  # as typed, full-width space and all normalised
            provided_on=TODAY,
            items=["健診結果"],
            legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
            by=privacy_officer,
        )
    assert not ThirdPartyProvision.objects.exists()
    # A real third party is still recorded (Art. 29), on the member's consent (Art. 27(1)).
    consent_record(
        member=member,
        kind=Consent.Kind.CONSENT,
        method=Consent.Method.WRITING,
        given_on=TODAY,
        recipient="A生命保険株式会社",
        by=privacy_officer,
    )
    provision_register(
        member=member,
        category=Category.objects.get(code="health-checks"),
        recipient="A生命保険株式会社",
        provided_on=TODAY,
        items=["健診結果"],
        legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
        by=privacy_officer,
    )
    assert ThirdPartyProvision.objects.count() == 1


def test_art27_5_3_a_joint_use_is_on_the_notice_before_it_begins(
    client, officer_client, loaded, officer
):
    use = a_joint_use()
    assert "加入事業所との共同利用" not in client.get("/privacy/").text  # not yet published

    officer_client.post(
        reverse("admin:purposes_jointuse_changelist"),
        {"action": "publish", "_selected_action": [use.pk]},
    )

    use.refresh_from_db()
    assert use.published_on == timezone.localdate()
    event = Event.objects.get(action=Action.PURPOSES_JOINTUSE_PUBLISHED)
    assert event.target_id == str(use.pk)
    page = client.get("/privacy/").text
    for words in (
        "個人データの共同利用",
        "加入事業所との共同利用",
        "特定健診の結果（リスク区分のみ）",
        "当組合と加入事業所",
        "事業主と共同で行う健康づくり",
        "日本赤十字社健康保険組合（東京都港区芝大門1-1-3、代表者 理事長 山田一郎）",
    ):
        assert words in page
    assert not use.in_use(timezone.localdate())  # published, not yet begun
    assert use.in_use(use.starts_on)


def test_art27_5_3_a_joint_use_that_would_begin_before_its_publication_is_refused(
    officer_client, loaded, officer
):
    use = a_joint_use(starts_on=timezone.localdate() - datetime.timedelta(days=1))

    response = officer_client.post(
        reverse("admin:purposes_jointuse_changelist"),
        {"action": "publish", "_selected_action": [use.pk]},
        follow=True,
    )

    assert "利用を始める前に公表しなければなりません（法第27条第5項第3号）" in response.text
    use.refresh_from_db()
    assert use.published_on is None
    with pytest.raises(Exception, match="すでに公表"):
        later = a_joint_use(title="別の共同利用")
        publish_joint_use(joint_use=later, by=officer)
        publish_joint_use(joint_use=later, by=officer)


def test_art32_1_the_notice_names_the_society_its_processors_abroad_and_its_fees(client, loaded):
    SocietyProfile.objects.create(
        address="〒105-0012 東京都港区芝大門1-1-3",
        representative_title="理事長",
        representative_name="山田一郎",
        fee_payment="請求書に手数料分の郵便定額小為替を同封してください。",
    )
    a_processor()
    a_processor(
        name="クラウド株式会社",
        kind=Processor.Kind.SYSTEM,
        work="基幹システムの運用保守",
        country="アメリカ合衆国",
        foreign_environment="米国の州法（CCPA等）を把握し、アクセス制御と暗号化を講じています。",
    )
    a_processor(
        name="契約終了社",
        contract_until=datetime.date(2025, 3, 31),
        contract_from=datetime.date(2024, 4, 1),
    )
    KindPolicy.objects.create(kind=Kind.DISCLOSURE, fee_yen=300)

    page = client.get("/privacy/").text

    for words in (
        "当組合の名称・住所・代表者",
        "〒105-0012 東京都港区芝大門1-1-3",
        "理事長 山田一郎",
        "個人データの取扱いの委託",
        "芝健診センター",
        "特定健康診査の実施と結果の作成",
        "健康診査に関する情報",
        "外的環境の把握",
        "アメリカ合衆国",
        "米国の州法（CCPA等）を把握し",
        "手数料の額と支払方法",
        "開示：1件につき 300 円",
        "郵便定額小為替",
    ):
        assert words in page, words
    assert "契約終了社" not in page  # no longer a processor
    # The published revision's own words are all still there, unchanged.
    assert "個人情報の類型" in page


def test_art32_1_without_the_society_fields_the_page_still_reads(client, loaded):
    page = client.get("/privacy/")

    assert page.status_code == 200
    assert "当組合は、外国で個人データを取り扱っていません。" in page.text
    assert "現在、個人データを共同して利用してはいません。" in page.text


def test_art32_1_the_society_fields_are_one_row_refused_when_empty(officer_client, loaded):
    empty = officer_client.post(reverse("admin:purposes_societyprofile_add"), {})
    assert empty.status_code == 200
    assert set(empty.context["adminform"].form.errors) >= {
        "address",
        "representative_name",
        "fee_payment",
    }
    officer_client.post(
        reverse("admin:purposes_societyprofile_add"),
        {
            "address": "東京都港区芝大門1-1-3",
            "representative_title": "理事長",
            "representative_name": "山田一郎",
            "fee_payment": "窓口で現金",
        },
    )
    assert SocietyProfile.objects.get().pk == 1
    assert Event.objects.filter(action=Action.PURPOSES_SOCIETYPROFILE_CREATED).exists()
    second = officer_client.get(reverse("admin:purposes_societyprofile_add"))
    assert second.status_code == 403


def test_art25_the_auditor_reads_the_processors_and_their_audits(sign_in, auditor, loaded):
    processor = a_processor()
    ProcessorAudit.objects.create(
        processor=processor,
        audited_on=TODAY,
        method=ProcessorAudit.Method.DOCUMENTS,
        findings="委託契約書の再委託条項が旧版",
    )
    a_joint_use()

    page = sign_in(auditor).get(f"/reports/processors/?start={TODAY}&end={TODAY}")

    assert page.status_code == 200
    for words in (
        "委託先の監督と共同利用",
        "芝健診センター",
        "2026-03-15",
        "書面監査",
        "委託契約書の再委託条項が旧版",
        "未公表（利用できません）",
    ):
        assert words in page.text, words


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2026-01-01"}, "ends_on", "利用終了日は利用開始日以降"),
        ({"starts_on": "あした"}, "starts_on", "日付"),
        ({"responsible_representative": ""}, "responsible_representative", "必須"),
        ({"users": "個人番号１２３４５６７８９０１８の者"}, "users", "個人番号"),
    ],
)
def test_art27_5_3_bad_input_on_a_joint_use_is_refused_beside_its_field(
    officer_client, loaded, changes, field, message
):
    data = {
        "title": "共同利用",
        "items": "健診のリスク区分",
        "users": "当組合と加入事業所",
        "purpose": "健康づくり",
        "responsible_name": "当組合",
        "responsible_address": "東京都港区芝大門1-1-3",
        "responsible_representative": "理事長 山田一郎",
        "categories": [Category.objects.get(code="health-checks").pk],
        "starts_on": "2027-04-01",
        **changes,
    }

    response = officer_client.post(reverse("admin:purposes_jointuse_add"), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not JointUse.objects.exists()


@pytest.mark.parametrize("url", ["/reports/processors/", "/reports/my-number/"])
@pytest.mark.parametrize("query", ["start=garbage", "start=2026-12-31&end=2026-01-01", "end=\x00"])
def test_the_new_reports_answer_a_bad_period_with_a_page(sign_in, auditor, loaded, url, query):
    response = sign_in(auditor).get(f"{url}?{query}")

    assert response.status_code == 400
    assert "<h1>" in response.text
