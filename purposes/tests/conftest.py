"""Fixtures of the purposes tests: the loaded default notice, the privacy officer, a clock."""

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    """Signed in and verified by a TOTP device, as the two-factor admin requires.

    Not `safeguards.testing.sign_in_verified`: purposes sits below safeguards and may not
    import it.
    """
    device = TOTPDevice.objects.create(user=officer, name="test", confirmed=True)
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def clock():
    """Set the current moment: `clock(datetime(..., tzinfo=TOKYO))`."""
    with mock.patch("django.utils.timezone.now") as now:

        def set_to(moment: datetime.datetime) -> None:
            now.return_value = moment

        set_to(datetime.datetime.now(tz=TOKYO))
        yield set_to
