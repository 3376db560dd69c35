"""Entries to the rooms where personal data is handled; devices taken out and returned."""

import datetime

import pytest

from audit.models import Event
from core import audited
from safeguards import physical
from safeguards.models import DeviceCheckout, SecureArea

from .conftest import jst

d = datetime.date


def test_it_logs_entry_and_exit(handler):
    area = SecureArea.objects.create(name="レセプト点検室")

    entry = physical.enter_area(area=area, user=handler, by=handler, at=jst(2026, 12, 1, 9))
    left = physical.leave_area(entry=entry, by=handler, at=jst(2026, 12, 1, 17))

    assert left.left_at == jst(2026, 12, 1, 17)
    with pytest.raises(physical.AlreadyClosed):
        physical.leave_area(entry=entry, by=handler)


@pytest.fixture
def laptop(handler):
    return physical.check_out_device(
        checkout=DeviceCheckout(
            device="PC-03",
            kind=DeviceCheckout.Kind.LAPTOP,
            taken_by=handler,
            purpose="保健指導の訪問",
            protection="ディスク暗号化",
            taken_out_at=jst(2026, 12, 28, 9),
            expected_back_on=d(2026, 12, 31),
        ),
        by=handler,
    )


def test_a_device_still_out_past_its_date_is_overdue(laptop):
    assert list(physical.still_out()) == [laptop]
    assert not physical.overdue_checkouts(today=d(2026, 12, 31)).exists()
    assert list(physical.overdue_checkouts(today=d(2027, 1, 1))) == [laptop]


def test_a_returned_device_is_neither_out_nor_overdue(laptop, handler):
    physical.return_device(checkout=laptop, by=handler, at=jst(2027, 1, 4, 10))

    assert not physical.still_out().exists()
    assert not physical.overdue_checkouts(today=d(2027, 1, 5)).exists()
    with pytest.raises(physical.AlreadyClosed):
        physical.return_device(checkout=laptop, by=handler)


def test_the_registers_list_what_is_still_out(officer_client, laptop):
    response = officer_client.get("/admin/safeguards/devicecheckout/?out=overdue")

    assert response.status_code == 200


def test_the_officer_keeps_the_area_register_in_the_admin_each_edit_with_its_event(
    officer, officer_client
):
    officer_client.post("/admin/safeguards/securearea/add/", {"name": "書庫", "description": ""})
    area = SecureArea.objects.get()
    officer_client.post(
        f"/admin/safeguards/securearea/{area.pk}/change/", {"name": "第二書庫", "description": ""}
    )
    officer_client.post(f"/admin/safeguards/securearea/{area.pk}/delete/", {"post": "yes"})

    events = Event.objects.filter(target_type="safeguards.securearea").order_by("seq")
    assert [e.action for e in events] == [
        "safeguards.securearea.created",
        "safeguards.securearea.changed",
        "safeguards.securearea.deleted",
    ]
    assert {(e.actor_id, e.target_id) for e in events} == {(officer.pk, str(area.pk))}
    assert events[0].details == {
        "fields": ["name"],
        "digests": {"name": {"new": audited.digest("書庫")}},
    }
    assert events[1].details == {
        "fields": ["name"],
        "digests": {"name": {"old": audited.digest("書庫"), "new": audited.digest("第二書庫")}},
    }
    assert not SecureArea.objects.exists()
