"""The personas the tests run as: the matrix's order of them, the purpose each handler reads
for, and how each is made (the root conftest's fixtures make them per test; `tests/conftest.py`
makes them once for a module of read-only tests, `world`)."""

from django.contrib.auth.models import User

from purposes.models import Category
from safeguards.roles import Role
from safeguards.scopes import grant_scope
from safeguards.testing import in_good_standing, make_staff

PERSONAS = (
    "anonymous",
    "handler_in",  # handler_kenshin, reading a 健康診査 record
    "handler_out",  # handler_receipt: the same record is outside their scope
    "privacy_officer",
    "auditor",
    "superuser",
)
PURPOSES = {"handler_in": "checkup-reminder", "handler_out": "benefit-review-and-payment"}


def register() -> dict[str, Category]:
    """The society's register (the default notice), loaded and published, in force today."""
    from purposes.loader import load_register

    load_register()
    return {c.code: c for c in Category.objects.all()}


def privacy_officer() -> User:
    return make_staff("privacy_officer", Role.PRIVACY_OFFICER)


def auditor() -> User:
    return make_staff("auditor", Role.AUDITOR)


def superuser() -> User:
    return make_staff("superuser", is_superuser=True)


def handler_kenshin(register: dict[str, Category], officer: User) -> User:
    """A handler scoped to 健康診査に関する情報 (health-checks), on both desks."""
    from safeguards.models import Desk

    user = in_good_standing(make_staff("handler_kenshin", Role.HANDLER))
    grant_scope(user=user, category=register["health-checks"], by=officer)
    for code in Desk.Code.values:
        grant_scope(user=user, desk=Desk.of(code), by=officer)
    return user


def handler_receipt(register: dict[str, Category], officer: User) -> User:
    """A handler scoped to レセプトに関する情報 (receipts), on no desk: no filing is theirs."""
    user = in_good_standing(make_staff("handler_receipt", Role.HANDLER))
    grant_scope(user=user, category=register["receipts"], by=officer)
    return user


def kenshin_and_receipt(register: dict[str, Category]) -> dict:
    """Two members: one with a 健康診査 record, one known to the society only by a receipt."""
    from records.tests.factories import MemberFactory, RecordFactory

    checked = MemberFactory(name="健診花子", name_kana="ケンシンハナコ")
    treated = MemberFactory(name="受診秘子", name_kana="ジュシンヒミコ")
    return {
        "checked": checked,
        "treated": treated,
        "kenshin": RecordFactory(
            member=checked, category=register["health-checks"], title="特定健診2025"
        ),
        "receipt": RecordFactory(
            member=treated, category=register["receipts"], title="外来レセプト秘匿"
        ),
    }
