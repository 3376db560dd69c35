"""消去 reaches every copy (APPI Art. 35(1)-(2); issue 15): unique strings planted wherever a
person is copied, the erasure carried out through the officer's pages, then a `pg_dump`, the
private folder and the captured logs searched: none of the strings remains, and a backup taken
before the erasure, restored and replayed from the erasure ledger, holds none either.

Transactional and PostgreSQL only: `pg_dump` sees only what is committed.
"""

# ruff: noqa: F811

import datetime
import io
import json
import logging
import logging.config
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from gunicorn.config import Config
from gunicorn.glogging import Logger

from audit import trail
from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from core import outbox
from core.models import OutboxMail
from disclosure.models import IdentityDocument, Kind, Request
from disclosure.tests.conftest import JPEG, officer  # noqa: F401
from disclosure.tests.factories import RequestFactory
from kumiai.restore import Server, manage, restore, scratch_database
from records.models import Member
from records.tests.factories import MemberFactory, RecordFactory
from safeguards.approvals import Approval
from safeguards.models import StatutoryAccessReason, StatutoryGround
from safeguards.testing import second_officer_approves

from .test_restore import checkpoints, every_row, pg_dump  # noqa: F401

pytestmark = [pytest.mark.postgres_only, pytest.mark.usefixtures("audit_transactional_db")]
ROOT = Path(__file__).resolve().parents[1]
State = Request.State

NAME, KANA, BIRTH = "蓮見 沙耶香", "ハスミ サヤカ", datetime.date(1938, 2, 27)
SYMBOL, NUMBER, BRANCH = "9901", "7700004", "00"
EMAIL, PHONE = "sayaka.hasumi.zx@example.com", "090-7711-2233"
ADDRESS = "東京都蓮見区沙耶町9-8-7"
IMAGE = JPEG + b"HASUMI-LICENCE-IMAGE"
TOKEN = "Zt9hQ2mWv7LxR4sYpK1nB8"
# Every string that names her, in any of the forms the places above hold them.
PLANTED = [
    "蓮見",
    "沙耶香",
    "ハスミ",
    "サヤカ",
    "はすみ",
    "7700004",
    "sayaka.hasumi",
    "7711-2233",
    "蓮見区",
    "沙耶町",
    "HASUMI-LICENCE",
    "1938-02-27",
    "1938-02-28",
    TOKEN,
]


def document(request: Request, name: str) -> None:
    IdentityDocument.objects.create(
        request=request,
        role=IdentityDocument.Role.IDENTITY,
        file=default_storage.save(f"disclosure/documents/{name}", ContentFile(IMAGE)),
        content_type="image/jpeg",
        size=len(IMAGE),
        sha256="0" * 64,
    )


def filed(**extra) -> Request:
    values = {
        "member_symbol": SYMBOL,
        "member_number": NUMBER,
        "member_branch": BRANCH,
        "name": NAME,
        "name_kana": KANA,
        "birth_date": BIRTH,
        "address": ADDRESS,
        "phone": PHONE,
        "email": EMAIL,
    }
    request = RequestFactory(**(values | extra))
    document(request, f"{request.receipt_number}.jpg")
    return request


def plant(officer):
    """Her values in every place the issue found them after an erasure."""
    member = MemberFactory(
        symbol=SYMBOL,
        number=NUMBER,
        branch=BRANCH,
        name=NAME,
        name_kana=KANA,
        birth_date=BIRTH,
        # The registered address (本人限定受取郵便 goes there): gone with the member row.
        postal_code="100-0001",
        address=ADDRESS,
    )
    from purposes.models import Category

    RecordFactory(
        member=member,
        category=Category.objects.get(code="health-checks"),
        date=datetime.date(2019, 6, 1),  # past 基準第10条's five years: erasable
    )
    # Her first filing, rejected: the birth date mistyped by a day, so never matched.
    first = filed(
        birth_date=BIRTH + datetime.timedelta(days=1),
        state=State.REJECTED,
        state_note=f"生年月日が一致しないため却下（{NAME}様、{NUMBER}）",
    )
    # Her complaint, never linked, and the desk's answer naming her.
    own = ComplaintFactory(
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        address=ADDRESS,
        member_symbol=SYMBOL,
        member_number=NUMBER,
        what_happened="開示の請求が却下された。",
        state=Complaint.State.CLOSED,
        response=f"{NAME}様（{SYMBOL}-{NUMBER}）の請求は、生年月日の誤記により却下されていました。",
    )
    # An anonymous complaint that names her, and someone else's complaint that stays.
    anonymous = ComplaintFactory(
        anonymous=True,
        name="",
        email="",
        what_happened=f"窓口で職員が{NAME}さん（はすみ さやか）の番号{NUMBER}を読み上げていた。",
        state=Complaint.State.CLOSED,
        response="ご指摘の件、職員に指導しました。",
    )
    other = ComplaintFactory(name="別人一郎", state=Complaint.State.CLOSED)
    # The reason a member of staff typed for a statutory read of her records, and the
    # session that held it while they typed.
    read = trail.append(
        action=Action.RECORDS_ACCESS_READ,
        actor=trail.actor_for(officer),
        details={"surface": "admin", "members": [member.pk], "statutory": True, "ground": "law"},
    )
    StatutoryAccessReason.objects.create(
        event_seq=read.seq, ground=StatutoryGround.LAW, reason=f"警察署からの照会（{NAME}）"
    )
    session = SessionStore()
    session["gated_admin_purpose"] = {"ground": "law", "reason": f"警察署からの照会（{NAME}）"}
    session.create()
    # The admin's history of her member row.
    LogEntry.objects.create(
        user_id=officer.pk,
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk),
        object_repr=str(member),
        action_flag=CHANGE,
        change_message=f"{NAME} の住所を変更",
    )
    # And as Django writes its history: a JSON change message, non-ASCII escaped (\\uXXXX),
    # naming an object added on an inline form.
    LogEntry.objects.create(
        user_id=officer.pk,
        content_type=ContentType.objects.get_for_model(Member),
        object_id=str(member.pk),
        object_repr=str(member),
        action_flag=CHANGE,
        change_message=json.dumps([{"added": {"name": "被扶養者", "object": NAME}}]),
    )
    # A mail sent to her (emptied once sent) and one that failed (its body kept to resend).
    for subject in ("受付", "状況"):
        mail = outbox.enqueue(
            subject=subject,
            template="disclosure/mail/state_changed.txt",
            # The mail's body names her (as a letter's cover note would).
            context={"filed": SimpleNamespace(receipt_number=NAME, get_state_display=NUMBER)},
            to=[EMAIL],
        )
    outbox.deliver.call(mail.pk)
    OutboxMail.objects.exclude(pk=mail.pk).update(state=OutboxMail.State.FAILED)
    return member, first, own, anonymous, other, session.session_key


@pytest.fixture
def captured_logs(settings):
    """An access-log line written as gunicorn writes it, and what Django's configured handlers
    and gunicorn's write, as one string."""
    config = Config()
    config.set("logconfig_dict", runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logconfig_dict"])
    config.set("accesslog", "-")
    gunicorn = Logger(config)
    logging.config.dictConfig(settings.LOGGING)
    written = io.StringIO()
    names = ("", "django", "django.request", "django.server", "gunicorn.access", "gunicorn.error")
    handlers = {h for name in names for h in logging.getLogger(name).handlers}
    previous = [(h, h.setStream(written)) for h in handlers if hasattr(h, "setStream")]

    def access(uri: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": uri,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "192.0.2.1",
        }
        gunicorn.access(
            SimpleNamespace(status="200 OK", sent=512, headers=[]),
            SimpleNamespace(headers=[]),
            environ,
            datetime.timedelta(milliseconds=12),
        )

    try:
        yield access, written.getvalue
    finally:
        for handler, stream in previous:
            handler.setStream(stream)
        logging.config.dictConfig(settings.LOGGING)


def left_in(text: str) -> list[str]:
    """Each planted string still in `text`, as written or as JSON writes it with its
    non-ASCII characters escaped (Django's admin history; COPY doubles the backslashes), with
    what surrounds it."""
    escaped = [json.dumps(value)[1:-1] for value in PLANTED]
    forms = {*PLANTED, *escaped, *(form.replace("\\", "\\\\") for form in escaped)}
    return [text[max(0, i - 80) : i + 80] for form in forms if (i := text.find(form)) >= 0]


def move(client, request, name, data=None):
    url = f"/admin/disclosure/request/{request.pk}/move/{name}/"
    page = client.post(url, {"_state": request.state})
    response = client.post(url, {"_state": request.state, "_confirm": "1", **(data or {})})
    request.refresh_from_db()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.status_code == 302, said or response.content.decode()[:2000]
    return page.content.decode(), said


def test_art35_erasure_leaves_no_planted_string_in_a_dump_the_files_or_the_logs(
    officer, checkpoints, settings, tmp_path, sign_in, captured_logs
):
    settings.MEDIA_ROOT = tmp_path / "private"
    access, logs = captured_logs
    member, first, own, anonymous, other, session_key = plant(officer)
    asking = filed(kinds=[Kind.ERASURE], grounds="不要になったため")
    # Her searches and status links as the servers log them.
    access(f"/admin/records/member/?q={NUMBER}")
    access(f"/requests/status/{asking.receipt_number}/?t={TOKEN}")
    logging.getLogger("django.request").warning("Not Found: %s", f"/x/?q={NUMBER}&email={EMAIL}")
    logging.getLogger("django").info("To: %s", EMAIL)
    before = pg_dump(tmp_path / "before.dump", "-Fc")
    assert NAME in every_row(Server.of_default(), settings.DATABASES["default"]["NAME"])

    client = sign_in(officer)
    move(client, asking, State.IDENTITY_CHECK)
    move(client, asking, State.REVIEW, {"member": member.pk})
    decision = {
        "reasons": "",
        "items-0-granted": "yes",
        "items-0-case": "no_longer_needed",
        "items-0-whole_confirmed": "on",
        "items-0-reason": "",
    }
    move(client, asking, State.DECIDED, decision)
    second_officer_approves(Approval.Kind.MEMBER_ERASURE, asking)  # four eyes
    page, said = move(
        client, asking, State.CARRIED_OUT, {"candidate-0": "theirs", "candidate-1": "theirs"}
    )
    # The page listed her rejected filing and her complaint, not the anonymous one (it names
    # her only in its text, which is redacted) nor someone else's.
    assert first.receipt_number in page and own.receipt_number in page
    assert anonymous.receipt_number not in page and other.receipt_number not in page
    assert "生年月日" in page and "不一致" in page
    assert asking.state == State.CARRIED_OUT, said
    move(client, asking, State.CLOSED)

    confirmed = Event.objects.get(action=Action.DISCLOSURE_ERASURE_CONFIRMED)
    assert confirmed.details == {
        "confirmed": [f"complaints.complaint:{own.pk}", f"disclosure.request:{first.pk}"],
        "declined": [],
    }
    assert not Member.objects.filter(pk=member.pk).exists()
    assert not Session.objects.filter(session_key=session_key).exists()
    anonymous.refresh_from_db()
    assert anonymous.what_happened == (
        "窓口で職員が［消去済み：氏名］さん（［消去済み：フリガナ］）の番号［消去済み：記号・番号］"
        "を読み上げていた。"
    )
    own.refresh_from_db()
    assert own.response.startswith("［消去済み：氏名］様（［消去済み：記号・番号］）の請求は")
    other.refresh_from_db()
    assert other.name == "別人一郎"

    # The worker sends what the moves enqueued (the status mails), and empties each once sent.
    for pending in OutboxMail.objects.filter(state=OutboxMail.State.PENDING):
        assert outbox.deliver.call(pending.pk) == OutboxMail.State.SENT
    dumped = pg_dump(tmp_path / "after.sql").read_text()
    assert left_in(dumped) == []
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert [p for p in files if any(v.encode() in p.read_bytes() for v in PLANTED)] == []
    assert not [p for p in files if p.read_bytes().startswith(IMAGE[:4])]  # no document left
    logged = logs()
    assert "?q=***" in logged and "?t=***" in logged  # the lines were written, redacted
    assert left_in(logged) == []
    call_command("verify_audit", stdout=io.StringIO())

    # A backup from before the erasure, restored and replayed, reaches the same places.
    server = Server.of_default()
    with scratch_database(server, None) as copy:
        restore(server, before, copy)
        assert NAME in every_row(server, copy)
        replayed = manage(server, copy, "replay_erasures")
        assert replayed.returncode == 0, replayed.stderr
        restored = every_row(server, copy)
    assert left_in(restored) == []
