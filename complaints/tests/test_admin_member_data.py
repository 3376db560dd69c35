"""The desk's admin shows no member data: a linked member is a link to the member's page in
the records admin, which shows it only through the gate. No page of the desk renders, and
no search or filter of the desk reaches, a member's values."""

import pytest
from django.urls import reverse

from audit.models import Event
from audit.vocabulary import Action
from complaints.tests.factories import ComplaintFactory
from records.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MemberFactory(
        symbol="2002",
        number="7",
        name="秘密加入者",
        name_kana="ヒミツカニュウシャ",
        employer="秘密商事",
    )


@pytest.fixture
def complaint(member):
    return ComplaintFactory(member_symbol="2002", member_number="7", member=member)


def _shows_nothing_of(member, response):
    return not any(
        value in response.text for value in (member.name, member.name_kana, member.employer)
    )


NOT_SHOWN = "照合の結果は、その加入者を担当する職員にのみ表示されます。"


def test_the_change_page_links_the_member_by_id_only_for_staff_who_may_see_them(
    sign_in, handler_kenshin, register, member, complaint
):
    from records.tests.factories import RecordFactory

    RecordFactory(member=member, category=register["health-checks"])
    client = sign_in(handler_kenshin)
    client.post("/admin/records/record/purpose/", {"purpose": "checkup-reminder"})

    response = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    assert response.status_code == 200
    assert reverse("admin:records_member_change", args=[member.pk]) in response.text
    assert f"加入者 #{member.pk}" in response.text
    assert _shows_nothing_of(member, response)
    # Showing the id is a read of that member, logged as such.
    read = Event.objects.filter(action=Action.RECORDS_ACCESS_READ, actor_id=handler_kenshin.pk)
    assert any(event.details["members"] == [member.pk] for event in read)


def test_the_desk_outside_the_members_scope_cannot_tell_whether_it_linked(
    sign_in, desk, member, complaint
):
    unlinked = ComplaintFactory(member_symbol="2002", member_number="8")
    client = sign_in(desk)

    pages = [
        client.get(reverse("admin:complaints_complaint_change", args=[c.pk])).text
        for c in (complaint, unlinked)
    ]

    for page in pages:
        assert NOT_SHOWN in page
        assert "加入者 #" not in page and "照合されていません" not in page
        assert reverse("admin:records_member_change", args=[member.pk]) not in page
    # With no purpose chosen nobody tried to read the member through the gate: no refusal.
    assert not Event.objects.filter(action=Action.RECORDS_ACCESS_REFUSED, actor_id=desk.pk)


@pytest.mark.parametrize("page", ["changelist", "history"])
def test_the_other_pages_show_nothing_of_the_member(sign_in, desk, member, complaint, page):
    args = [complaint.pk] if page == "history" else []
    client = sign_in(desk)

    response = client.get(reverse(f"admin:complaints_complaint_{page}", args=args))

    assert response.status_code == 200
    assert _shows_nothing_of(member, response)


def test_it_finds_a_complaint_by_its_receipt_number(sign_in, desk, complaint):
    client = sign_in(desk)

    response = client.get(
        reverse("admin:complaints_complaint_changelist"), {"q": complaint.receipt_number}
    )

    assert list(response.context["cl"].result_list) == [complaint]


@pytest.mark.parametrize("term", ["秘密加入者", "ヒミツ", "秘密商事"])
def test_it_finds_no_complaint_by_the_members_data(sign_in, desk, complaint, term):
    client = sign_in(desk)

    response = client.get(reverse("admin:complaints_complaint_changelist"), {"q": term})

    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("lookup", ["member__name", "member__name__contains", "member__birth_date"])
def test_it_refuses_a_filter_through_the_member(sign_in, desk, member, complaint, lookup):
    value = member.birth_date.isoformat() if "birth_date" in lookup else "秘密"
    client = sign_in(desk)

    response = client.get(reverse("admin:complaints_complaint_changelist"), {lookup: value})

    assert response.status_code == 400


def test_the_member_field_is_no_way_around_the_gate(sign_in, desk, complaint):
    # Django's autocomplete answers for any relation of a registered model; what it may
    # return is the records admin's to decide, through the gate: the desk has no scope.
    client = sign_in(desk)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "complaints",
            "model_name": "complaint",
            "field_name": "member",
            "term": "秘密",
        },
    )

    assert "秘密加入者" not in response.text
