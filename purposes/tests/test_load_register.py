"""load_register: the default notice into the register, exactly and once."""

import pytest
from django.core.management import call_command

from audit.models import Event
from purposes.loader import DEFAULT_CODES, MissingCode, load_register
from purposes.models import Category, Exemption, Notice, NoticeRevision, Permission, Purpose


def test_it_loads_17_categories_in_the_notices_order(loaded):
    names = list(Category.objects.values_list("name", flat=True))

    assert len(names) == 17
    assert names[0] == "資格に関する情報"
    assert names[6] == "レセプトに関する情報"
    assert names[-1] == "当組合の従業員に関する情報"


def test_it_keeps_the_clean_phrase(loaded):
    for phrase in (
        "健診結果のデータ化",
        "加入者の健康管理及び施策立案を目的とした医療費分析",
        "電子証明書の再交付勧奨",
        "健康保険組合連合会に対する高額医療交付金の申請",
        "コラボヘルス",
    ):
        assert Purpose.objects.filter(name=phrase).exists(), phrase
    assert not Purpose.objects.filter(name__contains=" ").exists()
    assert not Category.objects.filter(name__contains=" ").exists()
    assert Category.objects.filter(
        name="被扶養者(被扶養者になろうとする者を含む)及びその同居家族の収入及び身分関係に関する情報"
    ).exists()


def test_it_shares_a_purpose_between_categories(loaded):
    review = Purpose.objects.get(name="保険給付の審査・支払")

    assert set(review.permissions.values_list("category__code", flat=True)) == {
        "cash-benefits",
        "receipts",
    }
    assert Purpose.objects.filter(name="番号法に基づく情報連携").count() == 1


def test_it_flags_sensitive_and_my_number_categories(loaded):
    sensitive = set(Category.objects.filter(sensitive=True).values_list("code", flat=True))
    my_number = set(Category.objects.filter(includes_my_number=True).values_list("code", flat=True))

    assert {"receipts", "health-checks", "health-guidance", "medical-status"} <= sensitive
    assert "bank-accounts" not in sensitive
    assert my_number == {"eligibility", "cash-benefits"}


def test_it_loads_the_rest_of_the_notice(loaded):
    notice = Notice.objects.get()

    assert notice.society_name == "日本赤十字社健康保険組合"
    assert (notice.desk_department, notice.desk_postal_code) == ("総務課", "105-0012")
    assert notice.desk_phone == "03-6672-1505"
    assert notice.requests_page == "/requests/"
    assert Exemption.objects.count() == 4
    assert list(notice.safeguards.values_list("code", flat=True)) == [
        "organizational",
        "human",
        "physical",
        "technical",
    ]


def test_it_publishes_revision_1_on_the_website(loaded):
    revision = NoticeRevision.objects.get()

    assert (revision.number, revision.method) == (1, "website")
    assert revision.published_by is None
    assert loaded.revision == revision


def test_loading_again_changes_nothing(loaded):
    counts = [m.objects.count() for m in (Category, Purpose, Permission, NoticeRevision, Event)]

    again = load_register()
    call_command("load_register")

    assert again.revision is None
    assert [
        m.objects.count() for m in (Category, Purpose, Permission, NoticeRevision, Event)
    ] == counts


def test_it_refuses_a_name_the_codes_file_lacks(db, tmp_path):
    codes = tmp_path / "codes.toml"
    original = DEFAULT_CODES.read_text(encoding="utf-8")
    codes.write_text(original.replace('"体育奨励" = "sports-promotion"\n', ""), encoding="utf-8")

    with pytest.raises(MissingCode, match="体育奨励"):
        load_register(codes_path=codes)
    assert not Category.objects.exists()
