import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Group, User

from safeguards.roles import Role
from safeguards.testing import sign_in_verified

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def jst(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TOKYO)


def make_staff(username: str, *roles: Role, **extra) -> User:
    user = User.objects.create_user(
        username, email=f"{username}@example.org", is_staff=True, **extra
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


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
