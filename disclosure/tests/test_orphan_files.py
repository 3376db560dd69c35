"""A letter rendered in a transaction that rolls back leaves its PDF, which names the person,
with no row: `purge_uploads` deletes such a file once no open transaction could still claim
it, audited with a count and no name (APPI Art. 22, Art. 23)."""

import datetime
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audit.models import Event
from audit.vocabulary import Action
from disclosure import letters, orphans
from disclosure.models import Letter
from disclosure.tests.factories import RequestFactory

pytestmark = pytest.mark.django_db


class MoveRefused(Exception):
    pass


def _files() -> set[str]:
    return set(orphans._files("disclosure/letters"))


def test_art22_the_letter_of_a_rolled_back_move_is_deleted_and_a_sent_one_kept():
    request = RequestFactory()
    kept = letters.issue(request, Letter.Kind.ACKNOWLEDGEMENT)
    with pytest.raises(MoveRefused), transaction.atomic():
        letters.issue(request, Letter.Kind.DECISION)
        raise MoveRefused
    (left,) = _files() - {kept.file.name}
    assert default_storage.exists(left)

    # Young, it may still be a transaction's that has not committed yet: it stays.
    assert orphans.purge() == 0 and default_storage.exists(left)

    output = StringIO()
    with pytest.MonkeyPatch.context() as patch:
        later = timezone.now() + datetime.timedelta(hours=2)
        patch.setattr(timezone, "now", lambda: later)
        call_command("purge_uploads", stdout=output)

    assert "purged 1 file(s) no row holds" in output.getvalue()
    assert _files() == {kept.file.name}
    event = Event.objects.get(action=Action.DISCLOSURE_FILES_PURGED)
    assert event.actor_kind == "system"
    assert event.details == {"folder": "disclosure/letters", "files": 1}
