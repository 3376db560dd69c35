"""`/api/v1/purposes/`: the purpose codes a core system may send, by category, as published."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/purposes/"


@pytest.fixture
def api(db):
    """The core systems' account, with its token: any staff account may read the register."""
    client = APIClient()
    user = User.objects.create_user("core-system", is_staff=True)
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def by_code(answer) -> dict[str, dict]:
    return {category["code"]: category for category in answer.json()["categories"]}


def test_it_lists_each_category_with_the_purposes_it_permits_in_japanese(api, loaded):
    answer = api.get(URL)

    assert answer.status_code == 200
    assert answer.json()["revision"] == 1
    categories = by_code(answer)
    assert len(categories) == 17
    checks = categories["health-checks"]
    assert checks["name"] == "健康診査に関する情報"
    purposes = {p["code"]: p["name"] for p in checks["purposes"]}
    assert purposes["checkup-reminder"] == "未受診者への受診勧奨"
    # レセプト's purposes are not 健康診査's: the gate would refuse the code for it.
    assert "medical-expense-notice" in {p["code"] for p in categories["receipts"]["purposes"]}
    assert "medical-expense-notice" not in purposes


def test_the_codes_it_lists_are_the_ones_the_gate_accepts(api, loaded, handler_kenshin):
    codes = {p["code"] for p in by_code(api.get(URL))["health-checks"]["purposes"]}
    client = APIClient()
    client.force_authenticate(handler_kenshin)

    assert all(
        client.get("/api/v1/records/", {"purpose": code}).status_code == 200 for code in codes
    )
    assert client.get("/api/v1/records/", {"purpose": "medical-expense-notice"}).status_code == 403


def test_before_the_first_revision_it_lists_nothing(api, loaded):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    answer = api.get(URL, {"on": yesterday.isoformat()})

    assert answer.status_code == 200
    assert answer.json() == {
        "on": yesterday.isoformat(),
        "revision": None,
        "effective_on": None,
        "categories": [],
    }


@pytest.mark.parametrize("on", ["2026-13-01", "令和8年4月1日", "x" * 5000, "\x00"])
def test_a_day_that_is_not_a_date_is_refused_in_japanese(api, loaded, on):
    answer = api.get(URL, {"on": on})

    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "on は 2026-04-01 のように、年-月-日の数字で指定してください。"
    }


def test_it_refuses_a_caller_without_a_token(loaded):
    assert APIClient().get(URL).status_code == 401
