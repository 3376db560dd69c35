"""The grounds of APPI Art. 18(3) and Art. 27(1) in the Act's words (as amended in 2021): items
(ii)-(iv) hold only with their condition (本人の同意を得ることが困難であるとき; for (iv)
本人の同意を得ることにより当該事務の遂行に支障を及ぼすおそれがあるとき), which the staff member
confirms; Art. 18(3)(vi) and 27(1)(vii), a provision to a 学術研究機関等, with theirs; (v), and
27(1)(v)-(vi), are a 学術研究機関等's own and not offered to the society. Codes stored before
read on, and the Art. 27(1) provisions stay apart from the Art. 29 records."""

import datetime

import pytest
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from records import gate
from records.models import ThirdPartyProvision
from records.services import ProvisionRefused, provision_register
from safeguards.models import StatutoryAccessReason, StatutoryGround

from .test_gate_admin_writes import kenshin_client, registrar  # noqa: F401

pytestmark = pytest.mark.django_db
Basis = ThirdPartyProvision.LegalBasis
DIFFICULT = "本人の同意を得ることが困難であるとき"
HINDERS = "本人の同意を得ることにより当該事務の遂行に支障を及ぼすおそれがあるとき"


def test_art18_3_each_ground_reads_as_the_act_words_it():
    labels = {ground: str(ground.label) for ground in StatutoryGround}
    assert labels[StatutoryGround.LAW].startswith("法令（条例を含む。）に基づく場合")
    assert DIFFICULT in labels[StatutoryGround.LIFE]
    assert DIFFICULT in labels[StatutoryGround.PUBLIC_HEALTH]
    assert HINDERS in labels[StatutoryGround.STATE]
    assert "地方公共団体又はその委託を受けた者" in labels[StatutoryGround.STATE]
    assert "学術研究機関等に個人データを提供する場合" in labels[StatutoryGround.ACADEMIC]
    assert "（同項第6号）" in labels[StatutoryGround.ACADEMIC]
    # Item (v) is a 学術研究機関等's own research: a health insurance society is none.
    assert not any("第5号" in label for label in labels.values())


def test_art27_1_each_ground_reads_as_the_act_words_it():
    labels = {basis: str(basis.label) for basis in Basis}
    assert DIFFICULT in labels[Basis.PROTECTION] and DIFFICULT in labels[Basis.PUBLIC_HEALTH]
    assert HINDERS in labels[Basis.STATE_AFFAIRS]
    assert labels[Basis.ACADEMIC].startswith("当該第三者が学術研究機関等である場合")
    assert labels[Basis.ACADEMIC].endswith("（同項第7号）")
    assert not any("第5号" in label or "第6号" in label for label in labels.values())


def test_art18_3_the_codes_stored_before_still_read():
    # The trail and StatutoryAccessReason keep codes: none of those written before is lost.
    assert {"law", "life", "public_health", "state"} <= set(StatutoryGround.values)
    kept = {"consent", "law", "protection", "public_health", "state_affairs", "academic"}
    assert kept <= set(Basis.values)
    reason = StatutoryAccessReason.objects.create(event_seq=1, ground="life", reason="照会")
    assert DIFFICULT in reason.get_ground_display()


def test_art18_3_a_ground_with_a_condition_is_refused_unconfirmed_in_the_gate():
    with pytest.raises(ValueError):
        gate.Statutory(ground=StatutoryGround.LIFE, reason="救急搬送先からの照会")
    gate.Statutory(ground=StatutoryGround.LAW, reason="令状による照会")  # no condition


def test_art18_3_the_picker_asks_to_confirm_the_condition(
    sign_in, handler_kenshin, kenshin_and_receipt
):
    client = sign_in(handler_kenshin)
    picker = reverse("admin:records_purpose")
    page = client.get(picker)
    assert DIFFICULT in page.text and HINDERS in page.text
    assert "根拠の条件に当たることを確認しました" in page.text

    asked = {"ground": "life", "reason": "救急搬送先の病院からの照会（意識不明）"}
    refused = client.post(picker, asked)

    assert refused.status_code == 200
    assert "本人の同意を得ることが困難であることが条件です" in refused.text
    assert "gate_access" not in client.session
    # Confirmed, the ground is chosen, and the read says so in its event.
    chosen = client.post(picker, asked | {"condition_confirmed": "on"})
    assert chosen.status_code == 302
    listed = client.get(reverse("admin:records_record_changelist"))
    assert "特定健診2025" in listed.text
    assert "例外：法第18条第3項第2号" in listed.text
    read = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).latest("seq")
    assert (read.details["ground"], read.details["condition"]) == ("life", True)
    assert StatutoryAccessReason.objects.get(event_seq=read.seq).ground == "life"


@pytest.mark.parametrize(
    "bad",
    [
        {"ground": "academic_own", "reason": "研究"},  # item (v): not offered
        {"ground": "", "reason": "理由", "condition_confirmed": "on"},
        {"ground": "state", "reason": ""},
        {"ground": "state", "reason": "\x00", "condition_confirmed": "on"},
        {"ground": ["life", "law"], "reason": "二つ"},
        {"ground": "law", "reason": "x" * 5000, "condition_confirmed": "maybe"},
    ],
)
def test_art18_3_bad_input_on_the_picker_gets_a_message_never_a_500(
    bad, sign_in, handler_kenshin, kenshin_and_receipt
):
    client = sign_in(handler_kenshin)
    response = client.post(reverse("admin:records_purpose"), bad)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "errorlist" in response.text


def test_art18_3_a_ground_chosen_before_the_condition_was_asked_is_chosen_again(
    sign_in, handler_kenshin, kenshin_and_receipt
):
    client = sign_in(handler_kenshin)
    session = client.session
    session["gate_access"] = {"ground": "life", "reason": "照会", "name": "例外"}
    session.save()

    response = client.get(reverse("admin:records_record_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:records_purpose"))
    assert "gate_access" not in client.session


def _provide(member, register, basis, **extra):
    return provision_register(
        member=member,
        category=register["health-checks"],
        recipient="千代田区児童相談所",
        provided_on=datetime.date(2026, 4, 10),
        items=["受診日"],
        legal_basis=basis,
        by=extra.pop("by"),
        **extra,
    )


@pytest.mark.parametrize(
    "basis,condition",
    [
        (Basis.PROTECTION, DIFFICULT[:-3]),
        (Basis.PUBLIC_HEALTH, DIFFICULT[:-3]),
        (Basis.STATE_AFFAIRS, HINDERS[:-3]),
        (Basis.ACADEMIC, "提供先が学術研究機関等で"),
    ],
)
def test_art27_1_a_provision_under_a_ground_with_a_condition_needs_it_confirmed(
    basis, condition, register, kenshin_and_receipt, privacy_officer
):
    member = kenshin_and_receipt["checked"]
    with pytest.raises(ProvisionRefused) as refused:
        _provide(member, register, basis, by=privacy_officer)
    assert condition in str(refused.value) and "確認の欄にチェック" in str(refused.value)
    assert not ThirdPartyProvision.objects.exists()

    provided = _provide(member, register, basis, by=privacy_officer, condition_confirmed=True)

    assert (
        provided.condition_confirmed
        and provided.kept_under == ThirdPartyProvision.KeptUnder.ART27_1
    )
    event = Event.objects.get(action=Action.RECORDS_PROVISION_REGISTERED)
    assert event.details["condition"] is True and event.details["legal_basis"] == basis.value


def test_art27_1_i_law_needs_no_condition(register, kenshin_and_receipt, privacy_officer):
    member = kenshin_and_receipt["checked"]
    provided = _provide(member, register, Basis.LAW, by=privacy_officer, condition_confirmed=True)
    assert not provided.condition_confirmed  # nothing to confirm: not stored as confirmed


def test_art27_1_the_provision_form_asks_beside_the_field(
    registrar,  # noqa: F811
    kenshin_client,  # noqa: F811
    kenshin_and_receipt,
    register,
):
    url = reverse("admin:records_thirdpartyprovision_add")
    form = {
        "member": kenshin_and_receipt["checked"].pk,
        "category": register["health-checks"].pk,
        "recipient": "千代田区児童相談所",
        "provided_on": "2026-04-10",
        "items": "受診日",
        "legal_basis": Basis.PUBLIC_HEALTH,
    }
    page = kenshin_client.get(url)
    assert DIFFICULT in page.text and HINDERS in page.text

    refused = kenshin_client.post(url, form)

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "本人の同意を得ることが困難であることが条件です" in str(errors["condition_confirmed"])
    assert not ThirdPartyProvision.objects.exists()
    done = kenshin_client.post(url, form | {"condition_confirmed": "on"})
    assert done.status_code == 302
    assert ThirdPartyProvision.objects.get().condition_confirmed


@pytest.mark.parametrize("basis", list(Basis))
def test_art29_1_proviso_every_art27_1_exception_is_kept_apart_from_the_art29_records(
    basis, register, kenshin_and_receipt
):
    provided = ThirdPartyProvision.objects.create(
        member=kenshin_and_receipt["checked"],
        category=register["health-checks"],
        recipient="提供先",
        provided_on=datetime.date(2026, 4, 10),
        legal_basis=basis,
    )
    as_query = ThirdPartyProvision.objects.filter(ThirdPartyProvision.ART29_RECORDS).exists()
    art29 = provided.kept_under == ThirdPartyProvision.KeptUnder.ART29
    assert art29 == as_query == (basis == Basis.CONSENT)
