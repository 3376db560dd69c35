"""Only the 監事 and the privacy officer, signed in with a verified device, reach the
reports; every view, page or export, appends exactly one `reports.viewed` event."""

import pytest
from django.contrib.auth.models import User

from audit.models import Event
from audit.vocabulary import Action

pytestmark = pytest.mark.django_db

PAGES = (
    "/reports/",
    "/reports/access/",
    "/reports/trail/",
    "/reports/scopes/",
    "/reports/my-number/",
    "/reports/processors/",
    "/reports/disposals/",
    "/reports/events/",
)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/?next=/reports/")


def test_a_session_without_a_verified_device_is_sent_to_sign_in(client, auditor):
    client.force_login(auditor)  # password only: no second factor this session

    response = client.get("/reports/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/")


@pytest.mark.parametrize("persona", ["handler_kenshin", "outsider", "superuser"])
def test_staff_other_than_auditors_and_the_officer_are_refused(sign_in, request, persona):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get("/reports/").status_code == 403
    assert not Event.objects.filter(action=Action.REPORTS_REPORT_VIEWED).exists()


@pytest.mark.parametrize("persona", ["auditor", "privacy_officer"])
@pytest.mark.parametrize("url", PAGES)
def test_a_view_appends_exactly_one_event(sign_in, request, persona, url, register):
    user = request.getfixturevalue(persona)
    client = sign_in(user)
    before = Event.objects.count()

    response = client.get(f"{url}?start=2026-04-01&end=2027-03-31&format=csv")

    assert response.status_code == 200
    assert Event.objects.count() == before + 1
    event = Event.objects.latest("seq")
    assert event.action == Action.REPORTS_REPORT_VIEWED
    assert event.actor_id == user.pk
    assert event.details == {
        "report": url.strip("/").removeprefix("reports").strip("/") or "overview",
        "start": "2026-04-01",
        "end": "2027-03-31",
        "format": "csv",
    }


def test_the_event_list_records_its_filter(sign_in, auditor):
    client = sign_in(auditor)

    client.get(
        "/reports/events/?start=2026-04-01&end=2026-04-30&action=records.access.read&actor=7"
    )

    details = Event.objects.latest("seq").details
    assert details["action"] == Action.RECORDS_ACCESS_READ
    assert details["actor"] == 7


def test_a_filter_that_is_not_an_identifier_is_a_bad_request(sign_in, auditor):
    client = sign_in(auditor)

    response = client.get("/reports/events/?action=山田 花子")

    assert response.status_code == 400
    assert Event.objects.latest("seq").details == {
        "report": "events",
        "format": "html",
        "invalid": True,
    }


def test_a_new_user_given_the_auditor_role_may_read(sign_in, db):
    from django.contrib.auth.models import Group

    from safeguards.roles import Role

    kanji = User.objects.create_user("kanji", is_staff=True)
    kanji.groups.add(Group.objects.get(name=Role.AUDITOR))

    assert sign_in(kanji).get("/reports/").status_code == 200


@pytest.mark.parametrize("persona", ["auditor", "privacy_officer"])
def test_the_admin_leads_those_who_may_read_the_reports_to_them(sign_in, request, persona):
    client = sign_in(request.getfixturevalue(persona))

    index = client.get("/admin/").content.decode()

    assert '<a class="button" href="/reports/">監査報告を開く</a>' in index
    assert '<a href="/reports/">監査報告</a>' in index  # in the header of every admin page


def test_the_admin_shows_no_way_to_the_reports_to_a_handler(sign_in, handler_kenshin):
    index = sign_in(handler_kenshin).get("/admin/").content.decode()

    assert 'href="/reports/"' not in index


@pytest.mark.parametrize("url", PAGES)
def test_every_report_page_signs_out_by_post(sign_in, auditor, register, url):
    page = sign_in(auditor).get(url).content.decode()

    assert '<form method="post" action="/accounts/sign-out/">' in page
    assert '<button type="submit">サインアウト</button>' in page
