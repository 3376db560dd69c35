"""本人の同意: the consent register (APPI Art. 18(1), Art. 27(1)), the implied consent with an
opt-out the guidance accepts (健康保険組合等における個人情報の適切な取扱いのためのガイダンス:
医療費通知 sent to the insured person covering the household), and what the gate, the
provision register and the 監事's report make of them."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from purposes.models import NoticeRevision, Purpose
from purposes.services import publish
from records import gate
from records.models import Consent, ThirdPartyProvision
from records.services import (
    ProvisionRefused,
    consent_record,
    consent_withdraw,
    provision_register,
)
from records.tests.factories import MemberFactory, RecordFactory

ANALYSIS = "medical-expense-analysis"  # permitted for receipts
NOTICE = "medical-expense-notice"  # 医療費通知の発行, permitted for receipts
TODAY = timezone.localdate


def _needs(code: str, consent: str) -> Purpose:
    """Mark a purpose and publish the register, as the privacy officer does."""
    purpose = Purpose.objects.get(code=code)
    purpose.consent = consent
    purpose.save()
    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)
    return purpose


def _read(user, purpose):
    with gate.ledger():
        access = gate.open_access(user=user, surface=gate.Surface.ADMIN, purpose=purpose)
        rows = gate.records(access)
        return sorted(r.title for r in rows), rows.count(), list(gate.members(access))


@pytest.fixture
def receipts(register):
    """Three members, each with one receipt."""
    people = {
        name: MemberFactory(name=name, name_kana="カナ")
        for name in ("同意花子", "未同意太郎", "撤回次郎")
    }
    for name, member in people.items():
        RecordFactory(member=member, category=register["receipts"], title=f"{name}のレセプト")
    return people


RESEARCH = "株式会社調査研究所"


def _consent(member, purpose=None, *, kind=Consent.Kind.CONSENT, given_on=None, by=SYSTEM):
    """A consent to `purpose`, or with none to provision to `RESEARCH` (Art. 27(1))."""
    provision = purpose is None and kind == Consent.Kind.CONSENT
    return consent_record(
        member=member,
        kind=kind,
        purpose=purpose,
        recipient=RESEARCH if provision else "",
        method=Consent.Method.WRITING,
        given_on=given_on or TODAY() - datetime.timedelta(days=10),
        reference="同意書-0001",
        by=by,
    )


def test_art18_1_a_purpose_needing_consent_reads_only_members_who_consented(
    handler_receipt, receipts
):
    analysis = _needs(ANALYSIS, Purpose.Consent.EXPLICIT)
    _consent(receipts["同意花子"], analysis)
    withdrawn = _consent(receipts["撤回次郎"], analysis)
    consent_withdraw(consent=withdrawn, withdrawn_on=TODAY(), by=SYSTEM)

    titles, count, members = _read(handler_receipt, ANALYSIS)

    assert titles == ["同意花子のレセプト"]
    assert count == 1  # the list's count says what the rows say
    assert members == [receipts["同意花子"]]


def test_art18_1_a_consent_withdrawn_from_tomorrow_still_reads_today(handler_receipt, receipts):
    analysis = _needs(ANALYSIS, Purpose.Consent.EXPLICIT)
    consent = _consent(receipts["撤回次郎"], analysis)
    consent_withdraw(consent=consent, withdrawn_on=TODAY() + datetime.timedelta(days=1), by=SYSTEM)

    assert _read(handler_receipt, ANALYSIS)[0] == ["撤回次郎のレセプト"]


def test_art18_1_the_flag_counts_once_published_not_in_the_draft(handler_receipt, receipts):
    Purpose.objects.filter(code=ANALYSIS).update(consent=Purpose.Consent.EXPLICIT)  # draft only

    assert len(_read(handler_receipt, ANALYSIS)[0]) == 3


def test_art18_1_a_purpose_within_the_published_purposes_needs_no_consent(
    handler_receipt, receipts
):
    _needs(ANALYSIS, Purpose.Consent.EXPLICIT)

    assert len(_read(handler_receipt, NOTICE)[0]) == 3


def test_guidance_implied_consent_reads_all_but_those_who_opted_out(handler_receipt, receipts):
    # ガイダンス: 医療費通知 to the insured person covering the household is within implied
    # consent; a family member who asks to be left out is.
    notice = _needs(NOTICE, Purpose.Consent.IMPLIED)
    _consent(receipts["未同意太郎"], notice, kind=Consent.Kind.OPT_OUT)
    back = _consent(receipts["撤回次郎"], notice, kind=Consent.Kind.OPT_OUT)
    consent_withdraw(consent=back, withdrawn_on=TODAY(), by=SYSTEM)

    titles, count, _members = _read(handler_receipt, NOTICE)

    assert titles == ["同意花子のレセプト", "撤回次郎のレセプト"]
    assert count == 2


def test_art18_1_recording_and_withdrawing_are_audited_with_ids_only(receipts, privacy_officer):
    analysis = Purpose.objects.get(code=ANALYSIS)
    member = receipts["同意花子"]

    consent = _consent(member, analysis, by=privacy_officer)
    consent_withdraw(consent=consent, withdrawn_on=TODAY(), by=privacy_officer)

    recorded = Event.objects.get(action=Action.RECORDS_CONSENT_RECORDED)
    assert recorded.details == {
        "member": member.pk,
        "kind": "consent",
        "purpose": ANALYSIS,
        "method": "writing",
    }
    withdrawn = Event.objects.get(action=Action.RECORDS_CONSENT_WITHDRAWN)
    assert withdrawn.details == {"member": member.pk, "kind": "consent"}
    assert "同意花子" not in str(recorded.details) + str(withdrawn.details)
    assert Consent.objects.get().created_by == privacy_officer


def test_art18_1_bad_input_is_refused_and_not_audited(receipts):
    member = receipts["同意花子"]
    with pytest.raises(ValidationError) as no_purpose:
        _consent(member, None, kind=Consent.Kind.OPT_OUT)
    assert "除外する利用目的" in str(no_purpose.value)
    with pytest.raises(ValidationError):
        _consent(member, None, kind="maybe")
    consent = _consent(member, None)
    with pytest.raises(ValidationError) as early:
        consent_withdraw(
            consent=consent, withdrawn_on=consent.given_on - datetime.timedelta(days=1), by=SYSTEM
        )
    assert "撤回日は同意日以後" in str(early.value)
    consent_withdraw(consent=consent, withdrawn_on=TODAY(), by=SYSTEM)
    with pytest.raises(ValidationError) as twice:
        consent_withdraw(consent=consent, withdrawn_on=TODAY(), by=SYSTEM)
    assert "撤回済み" in str(twice.value)
    assert Event.objects.filter(action=Action.RECORDS_CONSENT_WITHDRAWN).count() == 1
    assert Event.objects.filter(action=Action.RECORDS_CONSENT_RECORDED).count() == 1


def _provide(member, register, on=None, recipient=RESEARCH):
    return provision_register(
        member=member,
        category=register["receipts"],
        recipient=recipient,
        provided_on=on or TODAY(),
        items=["診療年月"],
        legal_basis=ThirdPartyProvision.LegalBasis.CONSENT,
        by=SYSTEM,
    )


def test_art27_1_a_provision_on_consent_needs_a_consent_in_force(register, receipts):
    member = receipts["未同意太郎"]
    with pytest.raises(ProvisionRefused) as refused:
        _provide(member, register)
    assert "第三者提供への同意（法第27条第1項）" in str(refused.value)

    consent = _consent(member)  # no purpose: consent to provision
    assert _provide(member, register).legal_basis == "consent"

    consent_withdraw(consent=consent, withdrawn_on=TODAY(), by=SYSTEM)
    with pytest.raises(ProvisionRefused):
        _provide(member, register)
    assert ThirdPartyProvision.objects.count() == 1


def test_art27_1_a_consent_to_a_purpose_is_no_consent_to_provision(register, receipts):
    member = receipts["同意花子"]
    _consent(member, Purpose.objects.get(code=ANALYSIS))

    with pytest.raises(ProvisionRefused):
        _provide(member, register)


def test_art18_1_without_the_permission_the_register_is_refused(sign_in, handler_receipt, receipts):
    client = sign_in(handler_receipt)
    client.post(reverse("admin:records_purpose"), {"purpose": ANALYSIS})

    assert client.get(reverse("admin:records_consent_add")).status_code == 403


def test_art18_1_the_member_page_lists_consents(sign_in, handler_receipt, receipts):
    member = receipts["同意花子"]
    consent = _consent(member, Purpose.objects.get(code=NOTICE), kind=Consent.Kind.OPT_OUT)
    consent_withdraw(consent=consent, withdrawn_on=TODAY(), by=SYSTEM)
    client = sign_in(handler_receipt)
    client.post(reverse("admin:records_purpose"), {"purpose": ANALYSIS})

    page = client.get(reverse("admin:records_member_change", args=[member.pk]))

    assert page.status_code == 200
    assert "本人の同意・不同意の申出" in page.text
    assert "不同意の申出（黙示の同意からの除外）" in page.text
    assert "医療費通知の発行" in page.text and "書面" in page.text


def test_art18_1_staff_with_the_permission_record_and_withdraw_in_the_admin(
    sign_in, handler_receipt, receipts
):
    codenames = ("view_consent", "add_consent", "withdraw_consent")
    handler_receipt.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = sign_in(handler_receipt)
    client.post(reverse("admin:records_purpose"), {"purpose": ANALYSIS})
    member = receipts["同意花子"]
    url = reverse("admin:records_consent_add")
    purpose_pk = Purpose.objects.get(code=NOTICE).pk
    form = {
        "member": member.pk,
        "kind": "opt_out",
        "purpose": "",
        "recipient": "",
        "method": "writing",
        "given_on": TODAY().isoformat(),
        "reference": "",
    }

    bad = client.post(url, form)  # an opt-out names the purpose it leaves
    assert bad.status_code == 200 and "除外する利用目的" in bad.text
    bad = client.post(url, form | {"purpose": "", "kind": "consent", "given_on": "昨日"})
    assert bad.status_code == 200 and "日付" in bad.text
    assert not Consent.objects.exists()

    bad = client.post(url, form | {"kind": "consent"})  # to provision: to whom?
    assert bad.status_code == 200 and "同意を得た提供先を入力してください" in bad.text
    bad = client.post(url, form | {"kind": "opt_out", "purpose": purpose_pk, "recipient": "X社"})
    assert bad.status_code == 200 and "提供先は、第三者提供への同意" in bad.text
    assert not Consent.objects.exists()

    done = client.post(url, form | {"kind": "consent", "recipient": "株式会社　調査研究所"})
    assert done.status_code == 302
    consent = Consent.objects.get()
    assert consent.covers == "第三者提供（法第27条第1項）：株式会社 調査研究所"

    changelist = reverse("admin:records_consent_changelist")
    withdraw = {"action": "withdraw", "_selected_action": [consent.pk]}
    client.post(changelist, withdraw)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()
    again = client.post(changelist, withdraw, follow=True)
    assert "撤回済み" in again.text


def test_art18_1_the_auditor_sees_counts_by_purpose(sign_in, auditor, receipts):
    analysis = _needs(ANALYSIS, Purpose.Consent.EXPLICIT)
    notice = _needs(NOTICE, Purpose.Consent.IMPLIED)
    _consent(receipts["同意花子"], analysis)
    gone = _consent(receipts["撤回次郎"], analysis)
    consent_withdraw(consent=gone, withdrawn_on=TODAY(), by=SYSTEM)
    _consent(receipts["未同意太郎"], notice, kind=Consent.Kind.OPT_OUT)
    _consent(receipts["未同意太郎"])

    page = sign_in(auditor).get(reverse("reports:consents"))

    assert page.status_code == 200
    rows = {table.title: table.rows for table in page.context["report"].tables}
    assert rows["利用目的ごとの同意と不同意の申出"] == [
        ("第三者提供（法第27条第1項）", "—", 1, 0, 0),
        ("医療費通知の発行", "黙示の同意（本人の申出により除外）", 0, 0, 1),
        (
            "加入者の健康管理及び施策立案を目的とした医療費分析",
            "本人の同意が必要（法第18条第1項）",
            1,
            1,
            0,
        ),
    ]
    assert "同意花子" not in page.text
    assert "有効な同意（期間末）" in page.text


def test_art17_2_an_unrelated_added_purpose_reads_no_one_until_they_consent(
    handler_receipt, receipts, register
):
    from purposes.models import Permission

    added = Purpose.objects.create(code="drug-marketing", name="製薬会社の販売促進への協力")
    Permission.objects.create(
        category=register["receipts"],
        purpose=added,
        order=99,
        valid_from=TODAY(),
    )
    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM, added_related=False)

    assert _read(handler_receipt, "drug-marketing")[0] == []
    _consent(receipts["同意花子"], added)
    assert _read(handler_receipt, "drug-marketing")[0] == ["同意花子のレセプト"]


def test_art27_1_a_consent_to_provision_covers_the_recipient_it_names_and_no_other(
    register, receipts, privacy_officer
):
    member = receipts["未同意太郎"]
    consent = _consent(member, by=privacy_officer)
    assert consent.recipient == RESEARCH

    with pytest.raises(ProvisionRefused) as refused:
        _provide(member, register, recipient="A生命保険株式会社")
    assert "提供先「A生命保険株式会社」へのものではありません" in str(refused.value)
    assert not ThirdPartyProvision.objects.exists()
    # The same recipient as typed, full-width or spaced, is the one consented to.
    assert _provide(member, register, recipient="株式会社 調査研究所").recipient
    assert _provide(member, register, recipient="株式会社調査研究所").legal_basis == "consent"
    # An exception of Art. 27(1) needs no consent, to whomever it goes.
    provision_register(
        member=member,
        category=register["receipts"],
        recipient="東京地方裁判所",
        provided_on=TODAY(),
        items=["診療年月"],
        legal_basis=ThirdPartyProvision.LegalBasis.LAW,
        by=SYSTEM,
    )
    # The trail keeps the recipient's keyed digest, never its name.
    recorded = Event.objects.get(action=Action.RECORDS_CONSENT_RECORDED)
    assert recorded.details["purpose"] is None and len(recorded.details["recipient"]) >= 32
    assert RESEARCH not in str(recorded.details)


def test_art27_1_a_consent_recorded_before_recipients_were_named_covers_none(register, receipts):
    member = receipts["未同意太郎"]
    # As a row stored before the field: a consent to provision without a recipient.
    Consent.objects.create(
        member=member,
        kind=Consent.Kind.CONSENT,
        method=Consent.Method.WRITING,
        given_on=TODAY() - datetime.timedelta(days=30),
    )
    assert Consent.objects.get().covers == "第三者提供（法第27条第1項）：提供先の登録なし"

    with pytest.raises(ProvisionRefused, match="へのものではありません"):
        _provide(member, register)
    # It is still withdrawn as any other.
    consent_withdraw(consent=Consent.objects.get(), withdrawn_on=TODAY(), by=SYSTEM)


def test_art27_1_bad_input_on_a_consents_recipient_is_refused_and_not_audited(receipts):
    member = receipts["同意花子"]
    analysis = Purpose.objects.get(code=ANALYSIS)
    for purpose, kind, recipient, said in (
        (None, Consent.Kind.CONSENT, "", "同意を得た提供先を入力してください"),
        (None, Consent.Kind.CONSENT, "　 ", "同意を得た提供先を入力してください"),
        (analysis, Consent.Kind.CONSENT, "X社", "提供先は、第三者提供への同意"),
        (analysis, Consent.Kind.OPT_OUT, "X社", "提供先は、第三者提供への同意"),
        (None, Consent.Kind.CONSENT, "あ" * 201, "201"),
    ):
        with pytest.raises(ValidationError) as refused:
            consent_record(
                member=member,
                kind=kind,
                purpose=purpose,
                recipient=recipient,
                method=Consent.Method.WRITING,
                given_on=TODAY(),
                by=SYSTEM,
            )
        assert said in str(refused.value)
    assert not Consent.objects.exists()
    assert not Event.objects.filter(action=Action.RECORDS_CONSENT_RECORDED).exists()
