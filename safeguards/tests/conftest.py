import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import User

from safeguards.roles import Role
from safeguards.testing import make_staff, sign_in_verified

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def jst(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def officer(db) -> User:
    return make_staff("officer", Role.PRIVACY_OFFICER)


@pytest.fixture
def handler(db) -> User:
    return make_staff("handler", Role.HANDLER)


@pytest.fixture
def officer_client(client, officer):
    sign_in_verified(client, officer)
    return client


@pytest.fixture
def handler_client(client, handler):
    sign_in_verified(client, handler)
    return client
