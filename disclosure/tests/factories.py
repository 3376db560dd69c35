import datetime

import factory
from django.utils import timezone

from core.receipts import hash_token
from disclosure.models import Kind, Request

TOKEN = "the-status-token"


class RequestFactory(factory.django.DjangoModelFactory):
    """A request as filed on the web by the member, with TOKEN as its status token."""

    class Meta:
        model = Request

    receipt_number = factory.Sequence(lambda n: f"260401-{n:06d}")
    channel = Request.Channel.WEB
    kinds = factory.LazyFunction(lambda: [Kind.DISCLOSURE])
    method = Request.Method.DOWNLOAD
    filer = Request.Filer.SELF
    member_symbol = "1001"
    member_number = "1"
    member_branch = "00"
    name = "山田花子"
    name_kana = "ヤマダハナコ"
    birth_date = datetime.date(1980, 1, 2)
    postal_code = "100-0001"
    address = "東京都千代田区千代田1-1"
    phone = "03-1234-5678"
    email = "hanako@example.jp"
    token_hash = hash_token(TOKEN)
    received_at = factory.LazyFunction(timezone.now)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
