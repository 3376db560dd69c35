"""The public and the system are told apart in the trail: a management command's work is the
system's (a filing on a public form is the public's: complaints' test_leak_report,
disclosure's test_filing)."""

import pytest
from django.core.management import call_command

from audit.models import Event
from audit.vocabulary import Action

pytestmark = pytest.mark.django_db


def test_a_management_command_acts_as_the_system(handler_kenshin, capsys):
    call_command("otp_enrol", handler_kenshin.username)

    event = Event.objects.get(action=Action.SAFEGUARDS_OTP_ENROLLED)
    # The command once wrote this as the public: `by` defaulted to None.
    assert (event.actor_kind, event.actor_id) == ("system", None)
