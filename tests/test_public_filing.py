"""The two public desks on one filing (core.filing): a request and a complaint carry the same
channels, and the complaints desk's old "letter" became the shared "post" without a row lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaints.models import Complaint
from core.filing import PublicFiling
from disclosure.models import Request

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


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
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
    _migrate(AFTER)
