"""Rules Art. 7: a leak of data under 高度な暗号化 whose key did not leak need not be reported.

The society stores the 要配慮 categories and the bank accounts encrypted, their keys in a key
store of their own (issue 16). The assessment knows which categories those are and asks
whether the key store was affected; until the officer answers 影響なし, they count as any
other data.
"""

import pytest
from django.urls import reverse

from core.workflow import Refused, transition
from purposes.tests.factories import CategoryFactory
from safeguards import incidents
from safeguards.models import Incident

from .conftest import jst

State = Incident.State


@pytest.fixture
def incident(handler):
    return incidents.report_incident(
        incident=Incident(
            kind=Incident.Kind.LEAK,
            summary="バックアップテープの紛失",
            discovered_at=jst(2026, 12, 1, 10, 0),
            persons_affected=12,
        ),
        by=handler,
    )


@pytest.fixture
def receipts(db):
    return CategoryFactory(code="receipts", name="レセプトに関する情報", sensitive=True)


def test_rules_art7_encrypted_categories_count_until_the_key_store_is_said_unaffected(
    incident, receipts
):
    incident.categories.add(receipts)

    unanswered = incidents.assess(incident)
    incident.key_store_affected = True
    affected = incidents.assess(incident)
    incident.key_store_affected = False
    safe = incidents.assess(incident)

    assert unanswered.encrypted == ("レセプトに関する情報",)
    assert unanswered.key_store_question_open and unanswered.report_required
    assert affected.report_required and not affected.key_store_question_open
    assert safe.criteria == ["sensitive_data"]  # what the data is does not change
    assert safe.exempt_by_encryption and not safe.report_required


def test_rules_art7_bank_accounts_are_encrypted_and_exempt_with_their_keys_safe(incident):
    incident.categories.add(CategoryFactory(code="bank-accounts", sensitive=False))
    incident.financial_damage_risk = True
    incident.key_store_affected = False

    assessment = incidents.assess(incident)

    assert assessment.criteria == ["financial_damage_risk"]
    assert not assessment.report_required


def test_rules_art7_data_stored_in_clear_beside_them_keeps_the_incident_reportable(
    incident, receipts
):
    incident.categories.add(receipts, CategoryFactory(code="eligibility", sensitive=False))
    incident.persons_affected = 5000
    incident.key_store_affected = False

    assessment = incidents.assess(incident)

    assert assessment.exposed_criteria == ("over_threshold",)
    assert assessment.report_required and not assessment.exempt_by_encryption


def test_rules_art7_an_encrypted_incident_is_not_closed_before_the_question_is_answered(
    incident, receipts, officer
):
    incident.categories.add(receipts)
    transition(incident, State.ASSESSING, by=officer)

    with pytest.raises(Refused, match="鍵保管庫への影響を確認し"):
        transition(incident, State.CLOSED, by=officer)

    incident.key_store_affected = False
    incidents.record_assessment(incident=incident, by=officer, fields=["key_store_affected"])
    transition(incident, State.CLOSED, by=officer)
    assert Incident.objects.get(pk=incident.pk).state == State.CLOSED


def test_rules_art7_the_officer_is_asked_and_reads_why_no_report_is_due(
    officer_client, incident, receipts
):
    incident.categories.add(receipts)
    url = reverse("admin:safeguards_incident_change", args=[incident.pk])

    asked = officer_client.get(url).content.decode()
    Incident.objects.filter(pk=incident.pk).update(key_store_affected=False)
    answered = officer_client.get(url).content.decode()

    assert "鍵保管庫への影響" in asked and "未確認" in asked
    assert "鍵保管庫への影響を回答するまでは報告対象として扱います" in asked
    assert "鍵保管庫に影響がないため報告不要：規則第7条" in answered
