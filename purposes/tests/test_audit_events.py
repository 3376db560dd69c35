"""The trail that the register leaves: action names and identifiers, never the text."""

from audit.models import Event
from audit.vocabulary import Action
from core import audited
from purposes.models import Category, NoticeRevision
from purposes.services import publish

from .helpers import category_change_data


def test_loading_leaves_a_load_and_a_publication_by_the_system(loaded):
    events = list(Event.objects.order_by("seq"))

    assert [e.action for e in events] == ["purposes.register.loaded", "purposes.notice.published"]
    assert {e.actor_kind for e in events} == {"system"}
    assert events[0].details["categories"] == 17
    assert events[1].details["number"] == 1
    assert events[1].details["digest"] == NoticeRevision.objects.get().digest


def test_publishing_names_the_officer_and_the_method(loaded, officer):
    Category.objects.filter(code="staff").update(sensitive=False)

    revision = publish(method=NoticeRevision.Method.INDIVIDUAL, by=officer)

    event = Event.objects.get(action=Action.PURPOSES_NOTICE_PUBLISHED, target_id=str(revision.pk))
    assert (event.actor_kind, event.actor_id) == ("user", officer.pk)
    assert event.target_type == "purposes.noticerevision"
    assert event.details["method"] == "individual"


def test_an_admin_edit_leaves_one_event_with_field_names_and_digests_only(officer_client, loaded):
    receipts = Category.objects.get(code="receipts")
    before = receipts.name
    data = category_change_data(officer_client, receipts)
    data["name"] = "診療報酬明細書に関する情報"

    response = officer_client.post(f"/admin/purposes/category/{receipts.pk}/change/", data)

    assert response.status_code == 302
    event = Event.objects.get(action=Action.PURPOSES_CATEGORY_CHANGED)
    assert event.details == {
        "fields": ["name"],
        "digests": {"name": {"old": audited.digest(before), "new": audited.digest(data["name"])}},
    }
    assert event.target_id == str(receipts.pk)
    assert "診療報酬" not in str(Event.objects.values_list("details", flat=True))
