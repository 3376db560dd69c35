"""The tries limit of the public pages: a few tries per client in a window, held in the shared
(database) cache, one key per try, so the window holds and parallel guesses count."""

import datetime
import threading
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends import db as db_cache
from django.db import connection
from django.utils import timezone

from core.ratelimit import Limit

LIMIT = Limit("test.status", attempts=3, window_seconds=15 * 60)


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    for name in ("audit_transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """Moves the database cache's clock: it stamps expiry with time.time() and compares it
    with django.utils.timezone.now()."""
    offset = datetime.timedelta()
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset.total_seconds())
    monkeypatch.setattr(db_cache, "tz_now", lambda: real_now() + offset)

    class Clock:
        def advance(self, **delta):
            nonlocal offset
            offset += datetime.timedelta(**delta)

    return Clock()


def _use_up(client: str) -> None:
    for _try in range(LIMIT.attempts):
        assert LIMIT.take(client) is not None


@pytest.mark.django_db
def test_it_gives_a_client_its_tries_and_then_none():
    _use_up("192.0.2.1")

    assert LIMIT.take("192.0.2.1") is None


@pytest.mark.django_db
def test_it_counts_each_client_and_each_scope_apart():
    _use_up("192.0.2.1")

    assert LIMIT.take("192.0.2.2") is not None
    assert Limit("test.other", attempts=3).take("192.0.2.1") is not None


@pytest.mark.django_db
def test_a_try_given_back_can_be_taken_again():
    _use_up("192.0.2.1")
    cache.clear()
    tries = [LIMIT.take("192.0.2.1") for _try in range(LIMIT.attempts)]

    LIMIT.give_back(tries[1])

    assert LIMIT.take("192.0.2.1") is not None
    assert LIMIT.take("192.0.2.1") is None


@pytest.mark.django_db
def test_the_limit_lasts_the_whole_window(clock):
    _use_up("192.0.2.1")

    # Past the cache's default timeout (300 s), within the window (15 min).
    clock.advance(minutes=6)
    during = LIMIT.take("192.0.2.1")
    clock.advance(minutes=10)
    after = LIMIT.take("192.0.2.1")

    assert during is None
    assert after is not None


@pytest.mark.postgres_only
def test_parallel_tries_get_no_more_than_the_limit(audit_transactional_db):
    limit = Limit("test.parallel", attempts=10)
    tries = 3 * limit.attempts
    barrier = threading.Barrier(tries)
    answers = []

    def take():
        try:
            barrier.wait()
            answers.append(limit.take("192.0.2.1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    taken = [key for key in answers if key is not None]
    assert len(taken) == len(set(taken)) == limit.attempts
