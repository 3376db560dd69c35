import pytest
from django.db import transaction

from audit.models import Event
from audit.tests.fixtures import append_events
from audit.trail import SYSTEM, append
from audit.verify import verify_chain
from audit.vocabulary import Action


class Refused(Exception):
    pass


def test_a_rolled_back_transaction_leaves_no_event_and_no_gap(audit_transactional_db):
    append_events(1)
    with pytest.raises(Refused), transaction.atomic():
        append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, target_type="t", target_id=1)
        raise Refused

    assert Event.objects.count() == 1
    after = append(action=Action.RECORDS_RECORD_CHANGED, actor=SYSTEM, target_type="t", target_id=2)
    assert after.seq == 2
    assert verify_chain().problem is None
