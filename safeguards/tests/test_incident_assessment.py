"""The assessment against APPI Art. 26 / Enforcement Rules Art. 7, and the report deadlines."""

import datetime

import pytest

from purposes.tests.factories import CategoryFactory
from safeguards import incidents
from safeguards.models import Incident

from .conftest import jst

d = datetime.date


@pytest.fixture
def incident(handler):
    return incidents.report_incident(
        incident=Incident(
            kind=Incident.Kind.LEAK, summary="誤送付", discovered_at=jst(2026, 12, 30, 23, 30)
        ),
        by=handler,
    )


def test_a_small_leak_of_ordinary_data_is_not_reportable(incident):
    incident.categories.add(CategoryFactory(code="eligibility", sensitive=False))
    incident.persons_affected = 3

    assessment = incidents.assess(incident)

    assert assessment.criteria == []
    assert not assessment.report_required


def test_sensitive_data_is_reportable_from_one_person(incident):
    incident.categories.add(CategoryFactory(code="receipts", sensitive=True))
    incident.persons_affected = 1

    assert incidents.assess(incident).criteria == ["sensitive_data"]
    assert incidents.assess(incident).report_required


def test_bank_accounts_risk_financial_damage(incident):
    incident.categories.add(CategoryFactory(code="bank-accounts", sensitive=False))

    assert incidents.assess(incident).criteria == ["financial_damage_risk"]


def test_the_financial_risk_may_be_set_by_the_assessor(incident):
    incident.financial_damage_risk = True

    assert incidents.assess(incident).report_required


def test_a_suspected_unlawful_purpose_is_reportable(incident):
    incident.unlawful_purpose_suspected = True

    assert incidents.assess(incident).criteria == ["unlawful_purpose"]


@pytest.mark.parametrize(("persons", "required"), [(1000, False), (1001, True)])
def test_more_than_a_thousand_persons_is_reportable(incident, persons, required):
    incident.persons_affected = persons

    assert incidents.assess(incident).report_required is required


def test_strong_encryption_exempts_the_incident(incident):
    incident.persons_affected = 5000
    incident.strongly_encrypted = True

    assessment = incidents.assess(incident)

    assert assessment.criteria == ["over_threshold"]
    assert not assessment.report_required


def test_the_deadlines_of_an_incident_found_late_on_the_30th_of_december(incident):
    due = incidents.report_deadlines(incident)

    assert due.preliminary_due == d(2027, 1, 2)
    assert due.final_due == d(2027, 1, 29)


def test_an_unlawful_purpose_gives_sixty_days_for_the_final_report(incident):
    incident.unlawful_purpose_suspected = True

    assert incidents.report_deadlines(incident).final_due == d(2027, 2, 28)


def test_the_day_of_discovery_is_the_tokyo_day(handler):
    # 00:30 JST on 1 January 2027 is 15:30 UTC on 31 December 2026.
    incident = Incident(discovered_at=jst(2027, 1, 1, 0, 30).astimezone(datetime.UTC))

    due = incidents.report_deadlines(incident)

    assert due.preliminary_due == d(2027, 1, 4)
    assert due.final_due == d(2027, 1, 31)


def test_the_preliminary_report_is_overdue_after_the_fifth_day(incident):
    incident.unlawful_purpose_suspected = True

    # Found on 30 December: due on 2 January, late from 5 January (after the 5th day).
    assert incidents.overdue_reports(incident, today=d(2027, 1, 2)) == []
    assert incidents.overdue_reports(incident, today=d(2027, 1, 4)) == []
    assert incidents.overdue_reports(incident, today=d(2027, 1, 5)) == ["preliminary"]


def test_the_final_report_is_overdue_after_its_last_day(incident):
    incident.persons_affected = 1001
    incident.preliminary_reported_at = jst(2027, 1, 2, 10, 0)

    assert incidents.overdue_reports(incident, today=d(2027, 1, 29)) == []
    assert incidents.overdue_reports(incident, today=d(2027, 1, 30)) == ["final"]


def test_an_incident_that_need_not_be_reported_is_never_overdue(incident):
    incident.persons_affected = 10

    assert incidents.overdue_reports(incident, today=d(2027, 6, 1)) == []


# 番号法第29条の4 and 特定個人情報の漏えい等に関する報告等に関する規則第2条: criteria of their own.


@pytest.mark.parametrize(("persons", "required"), [(100, False), (101, True)])
def test_mynumber_act_art29_4_more_than_a_hundred_persons_is_reportable(
    incident, persons, required
):
    incident.my_number_involved = True
    incident.my_number_persons = persons
    incident.persons_affected = persons  # far below APPI's 1,000

    assessment = incidents.assess(incident)

    assert assessment.criteria == []
    assert assessment.my_number_criteria == (["my_number_over_threshold"] if required else [])
    assert assessment.my_number_report_required is required
    assert assessment.report_required is required


def test_mynumber_act_art29_4_the_network_system_is_reportable_from_one_person(incident):
    incident.my_number_involved = True
    incident.my_number_network_system = True
    incident.my_number_persons = 1

    assessment = incidents.assess(incident)

    assert assessment.my_number_criteria == ["my_number_network_system"]
    assert assessment.report_required and not assessment.appi_report_required


def test_mynumber_act_art29_4_an_unlawful_purpose_counts_under_both_acts(incident):
    incident.my_number_involved = True
    incident.unlawful_purpose_suspected = True

    assessment = incidents.assess(incident)

    assert assessment.criteria == ["unlawful_purpose"]
    assert assessment.my_number_criteria == ["my_number_unlawful_purpose"]
    assert incidents.report_deadlines(incident).final_due == d(2027, 2, 28)


def test_mynumber_act_art29_4_the_questions_count_only_for_my_number_data(incident):
    # Without 特定個人情報, the same answers are no criterion of 番号法.
    incident.my_number_network_system = True
    incident.my_number_persons = 500

    assessment = incidents.assess(incident)

    assert assessment.my_number_criteria == [] and not assessment.report_required


def test_mynumber_act_art29_4_strong_encryption_exempts_it_too(incident):
    incident.my_number_involved = True
    incident.my_number_persons = 500
    incident.strongly_encrypted = True

    assert not incidents.assess(incident).report_required
