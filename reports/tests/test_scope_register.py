"""The scope register: who handles which categories now, and the grants and withdrawals of
the period, from their audit events."""

import pytest
from django.utils import timezone

from safeguards.roles import Role
from safeguards.scopes import withdraw_scope
from safeguards.testing import make_staff

from .conftest import period_query, table

pytestmark = pytest.mark.django_db


BOTH_DESKS = "開示等請求窓口、苦情相談窓口"


def test_it_lists_who_handles_which_category_and_the_changes(
    as_auditor, handler_kenshin, handler_receipt, privacy_officer, register
):
    withdraw_scope(user=handler_receipt, category=register["receipts"], by=privacy_officer)
    today = timezone.localdate()

    page = as_auditor.get(f"/reports/scopes/?{period_query(today, today)}")

    kenshin = register["health-checks"].name
    assert table(page, "現在の担当") == [
        ["handler_kenshin", "取扱担当者", kenshin, "0", BOTH_DESKS],
        # The privacy officer holds both desks through the role.
        ["privacy_officer", "個人情報取扱責任者", "", "0", BOTH_DESKS],
    ]
    assert [kenshin, "1"] in table(page, "類型ごとの担当者数")
    changes = [row[2:] for row in table(page, "期間中の担当の変更")]
    receipts = register["receipts"].name
    assert changes == [
        ["privacy_officer", "割当て", "handler_kenshin", kenshin],
        ["privacy_officer", "割当て", "handler_kenshin", "開示等請求窓口"],
        ["privacy_officer", "割当て", "handler_kenshin", "苦情相談窓口"],
        ["privacy_officer", "割当て", "handler_receipt", receipts],
        ["privacy_officer", "解除", "handler_receipt", receipts],
    ]


def test_a_category_granted_to_a_group_counts_for_its_members(
    as_auditor, outsider, privacy_officer, register
):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    desk = Group.objects.create(name="給付係")
    outsider.groups.add(desk)
    assign_perm("purposes.handle_category", desk, register["receipts"])
    today = timezone.localdate()

    page = as_auditor.get(f"/reports/scopes/?{period_query(today, today)}")

    assert table(page, "現在の担当") == [
        ["outsider", "取扱担当者", register["receipts"].name, "0", ""],
        ["privacy_officer", "個人情報取扱責任者", "", "0", BOTH_DESKS],
    ]


def test_it_lists_what_each_group_holds_for_whom_and_the_groups_changes(
    as_auditor, outsider, privacy_officer, register
):
    from django.contrib.auth.models import Group

    from safeguards.models import Desk
    from safeguards.scopes import grant_scope

    benefits = Group.objects.create(name="給付係")
    outsider.groups.add(benefits)
    second = make_staff("second_officer", Role.PRIVACY_OFFICER)
    grant_scope(group=benefits, category=register["receipts"], by=second)
    grant_scope(group=benefits, desk=Desk.of("complaints"), by=second)
    withdraw_scope(group=benefits, desk=Desk.of("complaints"), by=privacy_officer)
    today = timezone.localdate()

    page = as_auditor.get(f"/reports/scopes/?{period_query(today, today)}")

    assert table(page, "グループによる担当") == [
        ["給付係", register["receipts"].name, "", "outsider"]
    ]
    changes = [row[2:] for row in table(page, "期間中の担当の変更")]
    assert changes == [
        ["second_officer", "割当て", "グループ「給付係」", register["receipts"].name],
        ["second_officer", "割当て", "グループ「給付係」", "苦情相談窓口"],
        ["privacy_officer", "解除", "グループ「給付係」", "苦情相談窓口"],
    ]
