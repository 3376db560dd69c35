"""Two officers decide the same request at once: one wins, the other is told (PostgreSQL)."""

import threading

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from core.workflow import ChangedMeanwhile, transition
from disclosure.models import Request
from records.tests.factories import MemberFactory
from safeguards.roles import Role

from .factories import RequestFactory


@pytest.fixture
def officer(audit_transactional_db):
    # A flushed database has lost the rows of data migrations: the roles.
    user = User.objects.create_user("officer", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=Role.PRIVACY_OFFICER)[0])
    return user


@pytest.mark.postgres_only
def test_it_lets_one_of_two_concurrent_decisions_win(officer):
    request = RequestFactory(state=Request.State.REVIEW, member=MemberFactory())
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(outcome):
        try:
            stale = Request.objects.get(pk=request.pk)
            barrier.wait()
            transition(
                stale,
                Request.State.DECIDED,
                by=officer,
                outcome=outcome,
                decided_at=timezone.now(),
            )
            outcomes.append(("won", outcome))
        except ChangedMeanwhile as refused:
            outcomes.append(("told", str(refused)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(outcome,))
        for outcome in (Request.Outcome.FULL, Request.Outcome.NONE)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(kind for kind, _ in outcomes) == ["told", "won"]
    winner = next(value for kind, value in outcomes if kind == "won")
    request.refresh_from_db()
    assert request.state == Request.State.DECIDED and request.outcome == winner
    assert "他の職員が先に処理し" in next(value for kind, value in outcomes if kind == "told")
    assert request.letters.count() == 1
