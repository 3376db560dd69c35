import pytest

from audit.models import Event
from audit.vocabulary import Action
from kumiai.demo import populate
from records.models import Member, Record
from records.payload_schemas import problems

pytestmark = pytest.mark.django_db


def test_it_populates_members_and_records_valid_in_every_category():
    made = populate(members=40, seed=7)

    assert (made.members, made.records) == (40, 800)
    assert Member.objects.count() == 40 and Record.objects.count() == 800
    assert Member.objects.filter(relationship="self").exists()
    assert Member.objects.exclude(relationship="self").filter(insured__isnull=False).exists()
    records = Record.objects.select_related("category")
    assert {r.category.code for r in records} >= {"receipts", "bank-accounts", "staff"}
    assert len({r.category_id for r in records}) == 17
    assert [
        (r.pk, problems(r.category.code, r.payload))
        for r in records
        if problems(r.category.code, r.payload)
    ] == []
    assert records.filter(category__code="receipts").count() > 400
    for member in Member.objects.all():
        member.full_clean()


def test_it_does_nothing_the_second_time():
    populate(members=10, seed=7)

    again = populate(members=10, seed=7)

    assert (again.members, again.records) == (0, 0)
    assert Member.objects.count() == 10
    assert Event.objects.filter(action=Action.RECORDS_DEMO_POPULATED).count() == 1
