import datetime

import factory

from audit.trail import SYSTEM
from purposes.models import Category, Notice, NoticeRevision, Permission, Purpose
from purposes.services import publish


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"類型{n}")
    order = factory.Sequence(int)


class PurposeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purpose
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name = factory.Sequence(lambda n: f"利用目的{n}")


class PermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Permission

    category = factory.SubFactory(CategoryFactory)
    purpose = factory.SubFactory(PurposeFactory)
    valid_from = datetime.date(2000, 4, 1)


class NoticeFactory(factory.django.DjangoModelFactory):
    """The install's one notice row (pk=1), which publishing needs besides the register."""

    class Meta:
        model = Notice
        django_get_or_create = ("id",)

    id = 1
    society_name = "テスト健康保険組合"
    title = "個人情報保護法に基づく公表事項"
    purposes_heading = "1. 個人情報の利用目的"
    intro = "当組合は、次の利用目的で個人情報を取り扱います。"
    safeguards_heading = "2. 安全管理措置の内容"
    requests_heading = "3. 保有個人データの開示等の請求に応じる手続"
    requests_text = "当組合が定める要領に基づき対応します。"
    requests_page = "/requests/"
    complaints_heading = "4. 保有個人データの取扱いに関する苦情の申出先"
    desk_department = "総務課"
    desk_postal_code = "100-0001"
    desk_address = "東京都千代田区千代田1-1"
    desk_phone = "03-0000-0000"


def publish_register(*, effective: datetime.date | None = None) -> NoticeRevision:
    """Publish the draft as it stands (tests of the gate: the register answers from this)."""
    NoticeFactory()
    return publish(method=NoticeRevision.Method.WEBSITE, by=SYSTEM, effective=effective)
