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
def officer(privacy_officer):
    """The privacy officer persona (root conftest), who keeps the register."""
    return privacy_officer


@pytest.fixture
def officer_client(sign_in, officer):
    """The officer signed in and verified by a TOTP device, as the two-factor admin requires."""
    return sign_in(officer)


@pytest.fixture
def clock():
    """Set the current moment: `clock(datetime(..., tzinfo=TOKYO))`."""
    with mock.patch("django.utils.timezone.now") as now:

        def set_to(moment: datetime.datetime) -> None:
            now.return_value = moment

        set_to(datetime.datetime.now(tz=TOKYO))
        yield set_to
