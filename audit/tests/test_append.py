import hashlib
import json
from datetime import UTC

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit.models import GENESIS_HASH, Event
from audit.tests.fixtures import append_events
from audit.trail import PUBLIC, SYSTEM, Actor, UndeclaredAction, actor_for, append
from audit.vocabulary import LEGACY, Action, ActorKind

pytestmark = pytest.mark.django_db


def test_it_numbers_events_from_one_without_gaps():
    append_events(5)
    assert list(Event.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_it_chains_each_event_to_the_one_before():
    first, second, third = append_events(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_an_auditor_can_recompute_a_hash_with_a_json_library():
    append(
        action=Action.RECORDS_ACCESS_READ,
        actor=Actor(ActorKind.USER, 7),
        target_type="records.record",
        target_id=12,
        purpose="benefit_review",
        details={"fields": ["name", "birth_date"], "category": 3, "partial": True},
    )
    stored = Event.objects.values().get()
    stored["at"] = stored["at"].astimezone(UTC).isoformat(timespec="microseconds")
    # jsonb's order of keys: shorter first, then bytewise.
    stored["details"] = dict(sorted(stored["details"].items(), key=lambda i: (len(i[0]), i[0])))
    fields = ("seq", "at", "actor_kind", "actor_id", "action", "target_type", "target_id")
    content = [stored[name] for name in (*fields, "purpose", "details", "prev_hash")]
    encoded = json.dumps(content, separators=(", ", ": "), ensure_ascii=False)
    assert stored["hash"] == hashlib.sha256(encoded.encode()).hexdigest()


def test_it_records_a_model_instance_as_its_label_and_pk(django_user_model):
    alice = django_user_model.objects.create_user(username="alice")
    event = append(action=Action.SAFEGUARDS_OTP_ENROLLED, actor=actor_for(alice), target=alice)
    event.refresh_from_db()
    assert (event.target_type, event.target_id) == ("auth.user", str(alice.pk))
    assert (event.actor_kind, event.actor_id) == ("user", alice.pk)


@pytest.mark.parametrize(("by", "kind"), [(PUBLIC, "public"), (SYSTEM, "system")])
def test_it_records_the_public_and_the_system_as_themselves(by, kind):
    event = append(action=Action.DISCLOSURE_REQUEST_FILED, actor=actor_for(by))
    event.refresh_from_db()
    assert (event.actor_kind, event.actor_id) == (kind, None)


@pytest.mark.parametrize("by", [None, AnonymousUser()])
def test_it_refuses_an_actor_that_does_not_say_whether_the_public_or_the_system_acts(by):
    # None once meant the public in one module and the system in another.
    with pytest.raises(TypeError):
        actor_for(by)


@pytest.mark.parametrize("name", ["test.event", "record.read", *LEGACY])
def test_it_refuses_an_action_the_vocabulary_does_not_declare(name):
    # A legacy name stays readable in old trails but is never written again.
    with pytest.raises(UndeclaredAction):
        append(action=name, actor=SYSTEM)
    assert not Event.objects.exists()


def test_it_continues_the_chain_from_the_last_event_however_many_per_transaction():
    with transaction.atomic():
        first, second = append_events(2)
    (third,) = append_events(1)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert (third.seq, third.prev_hash) == (3, second.hash)
