"""The two public desks on one filing (core.filing): a request and a complaint carry the same
channels (the complaints desk's old "letter" became the shared "post" without a row lost),
are confirmed, followed and mailed the same way, and erased by one reduction."""

import datetime
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from audit.models import Event
from audit.vocabulary import Action
from complaints.models import Complaint
from complaints.tests.factories import ComplaintFactory
from complaints.views import DESK as COMPLAINTS_DESK
from core.filing import PublicFiling, reduce
from core.testing import open_status_link
from disclosure.models import Request
from disclosure.tests.factories import RequestFactory
from disclosure.views import DESK as REQUESTS_DESK
from records.tests.factories import MemberFactory

BEFORE = ("complaints", "0003_complaint_identity_digest")
AFTER = ("complaints", "0004_public_filing")


def test_it_offers_both_desks_the_same_channels():
    assert Request.Channel is Complaint.Channel is PublicFiling.Channel
    assert (
        Request._meta.get_field("channel").choices == Complaint._meta.get_field("channel").choices
    )
    assert dict(PublicFiling.Channel.choices) == {
        "web": "ウェブ",
        "post": "郵送",
        "counter": "窓口",
        "phone": "電話",
    }


def _migrate(target=None):
    """Migrate the complaints to `target`, or to their latest migration."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    target = target or executor.loader.graph.leaf_nodes("complaints")[0]
    executor.migrate([target])
    return executor.loader.project_state(target).apps


def _filed(apps, number: str, channel: str):
    on = datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)
    return apps.get_model("complaints", "Complaint").objects.create(
        receipt_number=number,
        token_hash="0" * 64,
        channel=channel,
        received_at=on,
        anonymous=True,
        subject="handling",
        what_happened="-",
        first_response_due=on.date(),
        answer_due=on.date(),
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_maps_a_complaints_letter_to_post_and_back():
    old = _migrate(BEFORE)
    for number, channel in (("C260401-000001", "letter"), ("C260401-000002", "phone")):
        _filed(old, number, channel)

    new = _migrate(AFTER)
    channels = dict(
        new.get_model("complaints", "Complaint").objects.values_list("receipt_number", "channel")
    )
    assert channels == {"C260401-000001": "post", "C260401-000002": "phone"}

    old = _migrate(BEFORE)
    channels = dict(
        old.get_model("complaints", "Complaint").objects.values_list("receipt_number", "channel")
    )
    assert channels == {"C260401-000001": "letter", "C260401-000002": "phone"}
    _migrate()


def test_both_desks_declare_their_contact_fields_once_and_a_complaint_may_be_anonymous():
    for name in ("name", "phone", "email", "address"):
        on_request, on_complaint = (m._meta.get_field(name) for m in (Request, Complaint))
        assert (on_request.max_length, str(on_request.verbose_name)) == (
            on_complaint.max_length,
            str(on_complaint.verbose_name),
        )
        # The one deliberate difference: a complaint may be anonymous, a request names its
        # filer and how to reach them (e-mail is optional at both).
        assert on_complaint.blank is True
        assert on_request.blank is (name == "email")
    assert Complaint._meta.get_field("address").max_length == 300


def test_a_complaints_digest_kept_before_the_address_was_renamed_still_checks():
    from audit import trail

    complaint = ComplaintFactory.build(
        name="山田花子", email="", phone="", address="東京都千代田区1-2-3"
    )
    before = {
        ("postal_address" if name == "address" else name): getattr(complaint, name)
        for name in Complaint.PERSONAL_FIELDS
    }

    assert complaint.personal_digest() == trail.keyed_digest(
        before, purpose=Complaint.DIGEST_PURPOSE
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_a_complaints_address_under_its_new_name_and_back():
    old = _migrate(("complaints", "0005_created_stamp_from_core"))
    complaint = _filed(old, "C260401-000003", "post")
    Complaint_ = old.get_model("complaints", "Complaint")
    Complaint_.objects.filter(pk=complaint.pk).update(
        anonymous=False, name="山田花子", postal_address="東京都千代田区１－２－３"
    )

    new = _migrate()
    row = new.get_model("complaints", "Complaint").objects.get(pk=complaint.pk)
    assert (row.name, row.address) == ("山田花子", "東京都千代田区１－２－３")

    old = _migrate(("complaints", "0005_created_stamp_from_core"))
    row = old.get_model("complaints", "Complaint").objects.get(pk=complaint.pk)
    assert row.postal_address == "東京都千代田区１－２－３"
    _migrate()


# Both desks' public pages, walked alike: the form, the confirmation with its signed draft,
# the receipt page with the status link shown once, and the status page that link opens.

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
DESKS = {
    "requests": {
        "model": Request,
        "data": lambda: {
            "filer": "self",
            "member_symbol": "1001",
            "member_number": "23",
            "member_branch": "01",
            "name": "山田花子",
            "name_kana": "ヤマダハナコ",
            "birth_date": "1980-01-02",
            "postal_code": "100-0001",
            "address": "東京都千代田区千代田1-1",
            "phone": "03-1234-5678",
            "email": "hanako@example.jp",
            "kinds": ["purpose_notice"],
            "identity_document": SimpleUploadedFile("id.jpg", JPEG, content_type="image/jpeg"),
        },
        "status": "disclosure/status.html",
        "desk": REQUESTS_DESK,
        "mail": (
            "開示等の請求を受け付けました。\n\n受付番号：{receipt}\n照会用URL：{link}\n\n"
            "照会用URLは請求の状況の確認と、開示データの受け取りに使います。"
            "他の人に知られないよう大切に保管してください。\n"
        ),
    },
    "complaints": {
        "model": Complaint,
        "data": lambda: {
            "name": "山田花子",
            "email": "hanako@example.jp",
            "subject": "handling",
            "what_happened": "健診の結果が別の人に届きました。",
        },
        "status": "complaints/status.html",
        "desk": COMPLAINTS_DESK,
        "mail": (
            "個人情報の取扱いに関する苦情を受け付けました。\n\n受付番号：{receipt}\n"
            "照会用URL：{link}\n\n"
            "対応状況は照会用URLから確認できます。他の人に知られないよう大切に保管してください。"
            "\n\nこのメールにお心当たりがない場合は、破棄してください。\n"
        ),
    },
}


@pytest.fixture(params=DESKS)
def desk(request, db):
    cache.clear()  # the tries limits live in the cache
    return request.param, DESKS[request.param]


def _confirmation(client, prefix, desk):
    page = client.post(f"/{prefix}/new/", desk["data"]())
    assert "入力内容の確認" in page.text
    return page


def _draft(page) -> str:
    return re.search(r'name="draft" value="([^"]+)"', page.text)[1]


def test_each_desk_confirms_with_one_signed_draft_and_no_hidden_personal_value(client, desk):
    prefix, desk = desk
    page = _confirmation(client, prefix, desk)

    hidden = re.findall(r'<input type="hidden" name="([^"]+)"', page.text)
    assert sorted(set(hidden)) == ["csrfmiddlewaretoken", "draft"]
    assert "山田花子" not in _draft(page) and "hanako" not in _draft(page)
    assert not desk["model"].objects.exists()

    for _twice in range(2):
        sent = client.post(f"/{prefix}/confirm/", {"draft": _draft(page), "send": "1"})
        assert sent.status_code == 302 and sent.url == f"/{prefix}/done/"
    assert desk["model"].objects.count() == 1


def test_each_desk_files_nothing_from_a_tampered_draft(client, desk):
    prefix, desk = desk
    page = _confirmation(client, prefix, desk)

    sent = client.post(f"/{prefix}/confirm/", {"draft": _draft(page) + "x", "send": "1"})

    assert "確認画面を開いてから時間がたったため" in sent.text
    assert not desk["model"].objects.exists()


def test_each_desk_shows_the_status_link_once_and_it_opens_the_status_page(client, desk):
    prefix, desk = desk
    page = _confirmation(client, prefix, desk)
    done = client.post(f"/{prefix}/confirm/", {"draft": _draft(page), "send": "1"}, follow=True)
    filed = desk["model"].objects.get()

    assert re.search(r'id="receipt-number">([^<]+)<', done.text)[1] == filed.receipt_number
    link = re.search(r'id="status-url" href="([^"]+)"', done.text)[1]
    assert link.startswith(f"http://testserver/{prefix}/status/{filed.receipt_number}/#t=")
    assert "status-url" not in client.get(f"/{prefix}/done/", follow=True).text

    opened = open_status_link(Client(), link)
    assert opened.redirect_chain[-1][0] == f"/{prefix}/status/{filed.receipt_number}/"
    assert desk["status"] in [template.name for template in opened.templates]


def test_each_desk_answers_a_wrong_token_alike_and_counts_the_tries(client, desk):
    prefix, desk = desk
    page = _confirmation(client, prefix, desk)
    client.post(f"/{prefix}/confirm/", {"draft": _draft(page), "send": "1"})
    status = f"/{prefix}/status/{desk['model'].objects.get().receipt_number}/"

    tries = desk["desk"].limit.attempts
    answers = [client.post(status, {"token": f"guess-{n}"}) for n in range(tries)]
    locked = client.post(status, {"token": "one more"})

    assert {answer.templates[0].name for answer in answers} == {"filing/status_token.html"}
    assert "受付番号と照会用コードの組み合わせが確認できませんでした" in answers[0].text
    assert locked.status_code == 429 and "照会の試行回数が上限に達しました" in locked.text


def test_each_desk_mails_the_receipt_from_its_template(client, desk, run_worker):
    prefix, desk = desk
    page = _confirmation(client, prefix, desk)
    done = client.post(f"/{prefix}/confirm/", {"draft": _draft(page), "send": "1"}, follow=True)
    run_worker()
    filed = desk["model"].objects.get()
    link = re.search(r'id="status-url" href="([^"]+)"', done.text)[1]

    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert message.body == desk["mail"].format(receipt=filed.receipt_number, link=link)


@pytest.mark.parametrize(
    "factory", [RequestFactory, ComplaintFactory], ids=["request", "complaint"]
)
def test_one_erasure_reduces_either_kind_of_filing_to_its_digest(factory, superuser):
    filed = factory(member=MemberFactory(), email="hanako@example.jp", phone="03-1234-5678")
    digest = filed.personal_digest()

    with transaction.atomic():
        reduce(
            filed,
            by=superuser,
            action=Action.DISCLOSURE_FILING_REDUCED,
            details={"reference": "R1"},
        )

    filed.refresh_from_db()
    assert {name: getattr(filed, name) for name in filed.PERSONAL_FIELDS} == filed.PERSONAL_FIELDS
    assert (filed.member, filed.identity_digest) == (None, digest)
    assert filed.receipt_number and filed.channel == PublicFiling.Channel.WEB  # what stays
    event = Event.objects.get(action=Action.DISCLOSURE_FILING_REDUCED, target_id=str(filed.pk))
    assert event.details == {"reference": "R1", "digest": digest}
