"""A long list of records says about how many it holds, 「記録：約130万件（概数）」, where
counting it would read a million rows for every page, and counts them exactly when staff ask
(issue 16). Whole categories, listed as they are or filtered by category, are counted
exactly from their tally (`records.models.Tally`) instead, however long; a purpose of
implied consent (or one needing consent) checks each member's row, so its list is estimated.

The estimate is PostgreSQL's planner's (EXPLAIN: no row is read); SQLite counts exactly.
Here a few rows stand for a long list (`ESTIMATE_FROM` lowered to one).
"""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from audit.models import Event
from audit.trail import SYSTEM
from audit.vocabulary import Action
from purposes.models import NoticeRevision, Purpose
from purposes.services import publish
from records import gated_admin
from records.tests.factories import RecordFactory
from safeguards.roles import Role
from safeguards.scopes import grant_scope
from safeguards.testing import in_good_standing, make_staff

CHECKUP = "checkup-reminder"  # permitted for health-checks
LIST = reverse("admin:records_record_changelist")


def signed_in_with_three(sign_in, handler_kenshin, register, monkeypatch):
    """The health-checks handler, three health checks in scope, reading for `CHECKUP`."""
    RecordFactory.create_batch(3, category=register["health-checks"], title="特定健診2025")
    RecordFactory(category=register["receipts"])  # outside the scope: never counted
    monkeypatch.setattr(gated_admin, "ESTIMATE_FROM", 1)
    client = sign_in(handler_kenshin)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    return client


@pytest.fixture
def handler(sign_in, handler_kenshin, register, monkeypatch):
    """For a purpose of implied consent: each row's member is checked for an opt-out."""
    purpose = Purpose.objects.get(code=CHECKUP)
    purpose.consent = Purpose.Consent.IMPLIED
    purpose.save()
    publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM)
    return signed_in_with_three(sign_in, handler_kenshin, register, monkeypatch)


def test_whole_categories_are_counted_exactly_from_their_tally(
    sign_in, handler_kenshin, register, monkeypatch
):
    client = signed_in_with_three(sign_in, handler_kenshin, register, monkeypatch)
    for query in ({}, {"category": register["health-checks"].pk}):
        page = client.get(LIST, query)
        assert not page.context["cl"].paginator.estimated
        assert page.context["cl"].result_count == 3
        assert "概数" not in page.text and "正確な件数を数える" not in page.text
        assert "3 記録" in page.text


def estimating() -> bool:
    return connection.vendor == "postgresql"


def test_a_long_list_says_about_how_many_and_offers_the_exact_count(handler):
    page = handler.get(LIST)
    paginator = page.context["cl"].paginator
    assert paginator.estimated == estimating()
    if estimating():
        assert f"記録：{paginator.label}件（概数）" in page.text
        assert paginator.label.startswith("約") and paginator.label.endswith("万")
        assert "正確な件数を数える" in page.text
    # The list itself is read as ever: its rows, and the access event for them.
    assert len(page.context["cl"].result_list) == 3
    read = Event.objects.filter(action=Action.RECORDS_ACCESS_READ).latest("seq")
    assert read.details["rows"] == 3


def test_the_exact_count_on_request_counts_the_rows_of_the_scope(handler):
    exact = handler.get(LIST, {gated_admin.EXACT: "1"})
    assert exact.status_code == 200
    assert not exact.context["cl"].paginator.estimated
    assert exact.context["cl"].result_count == 3
    assert "概数" not in exact.text and "正確な件数を数える" not in exact.text


def test_the_exact_count_keeps_the_lists_filter(handler, register):
    category = register["health-checks"].pk
    estimated = handler.get(LIST, {"category": category})
    if estimating():
        url = estimated.context["cl"].paginator.exact_url
        assert f"category={category}" in url and f"{gated_admin.EXACT}=1" in url
    exact = handler.get(LIST, {"category": category, gated_admin.EXACT: "1"})
    assert exact.context["cl"].result_count == 3


def test_a_search_is_counted_exactly(handler):
    found = handler.get(LIST, {"q": "特定健診"})
    assert not found.context["cl"].paginator.estimated
    assert "概数" not in found.text


def test_a_list_of_members_granted_one_by_one_is_counted_exactly(
    sign_in, register, privacy_officer, monkeypatch
):
    monkeypatch.setattr(gated_admin, "ESTIMATE_FROM", 1)
    member = RecordFactory(category=register["health-checks"]).member
    user = in_good_standing(make_staff("handler_of_one", Role.HANDLER))
    grant_scope(user=user, member=member, by=privacy_officer)
    client = sign_in(user)
    client.post(reverse("admin:records_purpose"), {"purpose": CHECKUP})
    page = client.get(LIST)
    assert not page.context["cl"].paginator.estimated
    assert page.context["cl"].result_count == 1


def test_an_exact_count_of_a_long_list_reads_with_its_thousands_separated():
    paginator = SimpleNamespace(estimated=False)
    opts = SimpleNamespace(verbose_name="記録", verbose_name_plural="記録")
    cl = SimpleNamespace(result_count=1_292_432, paginator=paginator, opts=opts, formset=None)
    text = render_to_string("admin/records/record/pagination.html", {"cl": cl})
    assert "1,292,432 記録" in text


def test_the_search_bar_counts_only_a_narrowed_list_and_as_the_pages_do(handler, register):
    # Django's form said 「結果 N (全件表示)」 on every list, and the planner's estimate as a count.
    whole = handler.get(LIST)
    assert 'class="small quiet result-count"' not in whole.text
    narrowed = handler.get(LIST, {"category": register["health-checks"].pk})
    paginator = narrowed.context["cl"].paginator
    if estimating():
        assert f"結果 {paginator.label}件（概数）" in narrowed.text
    else:
        assert "結果 3件" in narrowed.text
    assert "全件表示" in narrowed.text
    found = handler.get(LIST, {"q": "1001"})  # the members' 記号: a search is counted exactly
    assert "結果 3件" in found.text and "全件表示" in found.text
    assert 'alt="検索"' in found.text and 'alt="Search"' not in found.text
