"""The erasure's sweep of free text, sessions and mail reads only what may name the person
(issue 15): the statutory reasons and the admin's history are narrowed in SQL by the
characters of her values (`core.traces.Person.needles`), expired sessions go in one DELETE
without being decoded, and mail already sent (emptied when sent) is not read. What names her
is still found however it was typed; what does not is neither read nor changed."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import trail
from core.models import OutboxMail
from core.traces import Person
from disclosure import copies
from safeguards.models import StatutoryAccessReason

pytestmark = pytest.mark.django_db

HER = Person().plus(
    names=["山田 花子"],
    kana=["ヤマダ ハナコ"],
    numbers=[("9901", "7700004", "00")],
    phones=["03-1234-5678"],
    emails=["hanako@example.jp"],
)
OTHERS = 300


@pytest.fixture
def read(monkeypatch):
    """The texts the matcher was given, by what it read them for."""
    seen: list[str] = []
    for name in ("redact", "found_in"):
        original = getattr(Person, name)

        def counting(self, text, _original=original):
            seen.append(text)
            return _original(self, text)

        monkeypatch.setattr(Person, name, counting)
    return seen


def _session(data: dict, *, expires_in: datetime.timedelta) -> str:
    store = SessionStore()
    session = Session.objects.create(
        session_key=store._get_new_session_key(),
        session_data=store.encode(data),
        expire_date=timezone.now() + expires_in,
    )
    return session.pk


def test_at_scale_the_sweep_reads_only_what_may_name_her(read):
    StatutoryAccessReason.objects.bulk_create(
        StatutoryAccessReason(
            event_seq=seq, ground="law", reason=f"鈴木一郎さんの照会（番号{1000000 + seq}）"
        )
        for seq in range(1, OTHERS + 1)
    )
    hers = [
        StatutoryAccessReason.objects.create(event_seq=OTHERS + i, ground="law", reason=text)
        for i, text in enumerate(
            ("ﾔﾏﾀﾞﾊﾅｺ様の件", "番号７７００００４の照会", "hanako@example.jp 宛"), start=1
        )
    ]
    day = datetime.timedelta(days=1)
    expired = [_session({"reason": "鈴木一郎"}, expires_in=-day) for _ in range(OTHERS)]
    live_hers = _session({"reason": "山田　花子さん"}, expires_in=day)
    live_other = _session({"reason": "鈴木一郎"}, expires_in=day)
    OutboxMail.objects.bulk_create(
        OutboxMail(template="t", subject="受付番号 260401-000001", recipients=1, state="sent")
        for _ in range(OTHERS)
    )
    failed = OutboxMail.objects.create(
        template="t",
        subject="s",
        body="山田花子様",
        to=["hanako@example.jp"],
        recipients=1,
        state="failed",
    )

    with CaptureQueriesContext(connection) as queries:
        copies.remove(person=HER, member_id=None, record_ids=[], by=trail.SYSTEM, target=None)

    # What names her is gone, however it was typed.
    for reason in hers:
        reason.refresh_from_db()
        assert "消去済み" in reason.reason and "ﾔﾏﾀﾞ" not in reason.reason
    assert not Session.objects.filter(pk__in=[live_hers, *expired]).exists()
    assert Session.objects.filter(pk=live_other).exists()
    failed.refresh_from_db()
    assert (failed.body, failed.to) == ("", [])
    # What does not name her was left alone, and most of it never read: the matcher read her
    # three reasons, the two live sessions and the one failed mail, not the 900 other rows.
    assert StatutoryAccessReason.objects.filter(reason__startswith="鈴木一郎").count() == OTHERS
    # A near miss passes the prefilter (a number holding each of her 番号's digits, 1000074)
    # and the matcher then tells it apart: a few, not hundreds.
    print(f"texts read: {len(read)} of {3 * OTHERS + 6}")
    assert 6 <= len(read) <= 6 + 20
    reasons = [q["sql"] for q in queries.captured_queries if "statutoryaccessreason" in q["sql"]]
    assert reasons and "LIKE" in reasons[0]


def test_a_person_with_a_value_of_letters_alone_is_still_swept_in_full(read):
    """No prefilter is safe for a value with no character free of case: every text is read."""
    StatutoryAccessReason.objects.bulk_create(
        StatutoryAccessReason(event_seq=seq, ground="law", reason="KEI ITO の照会")
        for seq in range(1, 11)
    )

    copies.remove(
        person=Person().plus(names=["Kei Ito"]),
        member_id=None,
        record_ids=[],
        by=trail.SYSTEM,
        target=None,
    )

    assert StatutoryAccessReason.objects.filter(reason__contains="消去済み").count() == 10
    assert len(read) >= 10
