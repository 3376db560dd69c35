"""Fixtures of the purposes tests: the loaded default notice, the privacy officer, a clock."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from purposes.loader import load_register

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def loaded(db):
    """The society's default notice, loaded and published as revision 1."""
    return load_register()


@pytest.fixture
def officer(db, django_user_model):
    """The privacy officer: a superuser, as the admin tests post as."""
    return django_user_model.objects.create_superuser(
        username="officer", email="officer@example.org", password="unused-in-tests"
    )


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def clock():
    """Set the current moment: `clock(datetime(..., tzinfo=TOKYO))`."""
    with mock.patch("django.utils.timezone.now") as now:

        def set_to(moment: datetime.datetime) -> None:
            now.return_value = moment

        set_to(datetime.datetime.now(tz=TOKYO))
        yield set_to
