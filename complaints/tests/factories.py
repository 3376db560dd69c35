import datetime

import factory
from django.utils import timezone

from complaints.models import Complaint
from core.receipts import hash_token

TOKEN = "the-status-token"


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint as the web form leaves it, its token `TOKEN`; due dates as given."""

    class Meta:
        model = Complaint

    receipt_number = factory.Sequence(lambda n: f"C260401-{n:06d}")
    token_hash = hash_token(TOKEN)
    channel = Complaint.Channel.WEB
    received_at = factory.LazyFunction(timezone.now)
    name = "苦情太郎"
    email = "taro@example.jp"
    subject = Complaint.Subject.HANDLING
    what_happened = "通知が別人に届いた。"
    first_response_due = factory.LazyAttribute(
        lambda o: timezone.localdate(o.received_at) + datetime.timedelta(days=7)
    )
    answer_due = factory.LazyAttribute(
        lambda o: timezone.localdate(o.received_at) + datetime.timedelta(days=28)
    )
