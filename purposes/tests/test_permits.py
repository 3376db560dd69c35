"""permits and its companions: the register in force on a day, with each permission's dates."""

import datetime

import pytest
from django.utils import timezone

from purposes.register import permits, permitted_category_ids, purposes_for

from .conftest import TOKYO
from .factories import CategoryFactory, PermissionFactory, PurposeFactory, publish_register

APRIL_1 = datetime.date(2030, 4, 1)
MARCH_31 = datetime.date(2030, 3, 31)


@pytest.fixture
def register(db, clock):
    """Receipts for benefit review from 1 April 2030 to 31 March 2031; published 1 March."""
    clock(datetime.datetime(2030, 3, 1, 9, 0, tzinfo=TOKYO))
    receipts = CategoryFactory(code="receipts", name="レセプトに関する情報")
    checks = CategoryFactory(code="health-checks", name="健康診査に関する情報")
    review = PurposeFactory(code="benefit-review", name="保険給付の審査・支払")
    analysis = PurposeFactory(code="analysis", name="医療費分析")
    PermissionFactory(
        category=receipts,
        purpose=review,
        valid_from=APRIL_1,
        valid_until=datetime.date(2031, 3, 31),
    )
    PermissionFactory(category=checks, purpose=analysis, valid_from=APRIL_1)
    PermissionFactory(category=receipts, purpose=analysis, valid_from=APRIL_1)
    publish_register(effective=datetime.date(2030, 3, 1))
    return receipts, checks, review, analysis


def test_it_permits_from_the_first_day_to_the_last(register):
    receipts, _, review, _ = register

    assert not permits(category=receipts, purpose=review, on=MARCH_31)
    assert permits(category=receipts, purpose=review, on=APRIL_1)
    assert permits(category="receipts", purpose="benefit-review", on=datetime.date(2031, 3, 31))
    assert not permits(category="receipts", purpose="benefit-review", on=datetime.date(2031, 4, 1))


def test_it_counts_a_moment_on_its_day_in_tokyo(register):
    receipts, _, review, _ = register
    # 15:30 UTC on 31 March is 00:30 on 1 April in Tokyo.
    moment = datetime.datetime(2030, 3, 31, 15, 30, tzinfo=datetime.UTC)

    assert permits(category=receipts, purpose=review, on=moment)
    assert not permits(category=receipts, purpose=review, on=moment - datetime.timedelta(hours=1))


def test_it_refuses_what_the_register_does_not_name(register):
    _, checks, review, _ = register

    assert not permits(category=checks, purpose=review, on=APRIL_1)
    assert not permits(category="no-such-category", purpose="benefit-review", on=APRIL_1)


def test_it_answers_nothing_before_the_first_revision(register):
    receipts, _, _, analysis = register

    assert not permits(category=receipts, purpose=analysis, on=datetime.date(2030, 2, 28))
    assert permitted_category_ids(purpose=analysis, on=datetime.date(2030, 2, 28)) == set()


def test_it_lists_the_categories_a_purpose_opens(register):
    receipts, checks, review, analysis = register

    assert permitted_category_ids(purpose=analysis, on=APRIL_1) == {receipts.pk, checks.pk}
    assert permitted_category_ids(purpose="benefit-review", on=APRIL_1) == {receipts.pk}
    assert permitted_category_ids(purpose=review, on=MARCH_31) == set()


def test_it_lists_the_purposes_open_to_some_of_the_categories(register):
    receipts, checks, review, analysis = register

    assert purposes_for(category_ids=[receipts.pk, checks.pk], on=APRIL_1) == [review, analysis]
    assert purposes_for(category_ids=[checks.pk], on=APRIL_1) == [analysis]
    assert purposes_for(category_ids=[receipts.pk], on=MARCH_31) == []


def test_an_unpublished_end_has_no_effect(register, clock):
    receipts, _, _, analysis = register
    receipts.permissions.filter(purpose=analysis).update(valid_until=datetime.date(2030, 6, 30))
    july_1 = datetime.date(2030, 7, 1)

    assert permits(category=receipts, purpose=analysis, on=july_1)

    clock(datetime.datetime(2030, 5, 1, 9, 0, tzinfo=TOKYO))
    publish_register(effective=timezone.localdate())

    assert not permits(category=receipts, purpose=analysis, on=july_1)
    assert permits(category=receipts, purpose=analysis, on=datetime.date(2030, 4, 30))
