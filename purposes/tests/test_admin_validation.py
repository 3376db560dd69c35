"""The privacy officer's admin: bad input refused with a clear Japanese message."""

import datetime

from purposes.models import Category, Permission, Purpose

from .helpers import add_permission_row, category_change_data


def change(client, category, data):
    return client.post(f"/admin/purposes/category/{category.pk}/change/", data)


def test_it_refuses_an_end_before_the_start(officer_client, loaded):
    receipts = Category.objects.get(code="receipts")
    data = category_change_data(officer_client, receipts)
    data["permissions-0-valid_until"] = (
        Permission.objects.filter(category=receipts).order_by("order").first().valid_from
        - datetime.timedelta(days=1)
    ).isoformat()

    response = change(officer_client, receipts, data)

    assert response.status_code == 200
    assert "適用終了日は適用開始日以降の日付にしてください。" in response.content.decode()
    assert not Permission.objects.filter(valid_until__isnull=False).exists()


def test_it_refuses_a_purpose_twice_for_a_category(officer_client, loaded):
    receipts = Category.objects.get(code="receipts")
    review = Purpose.objects.get(code="benefit-review-and-payment")
    data = add_permission_row(
        category_change_data(officer_client, receipts),
        order="9",
        purpose=str(review.pk),
        valid_from="2030-04-01",
    )

    response = change(officer_client, receipts, data)

    assert response.status_code == 200
    assert "この類型には同じ利用目的が同じ期間にすでにあります。" in response.content.decode()
    assert receipts.permissions.filter(purpose=review).count() == 1


def test_it_accepts_ending_a_period_and_starting_the_next_in_one_save(officer_client, loaded):
    receipts = Category.objects.get(code="receipts")
    review = Purpose.objects.get(code="benefit-review-and-payment")
    data = category_change_data(officer_client, receipts)
    data["permissions-0-valid_until"] = "2030-03-31"
    data = add_permission_row(data, order="9", purpose=str(review.pk), valid_from="2030-04-01")

    response = change(officer_client, receipts, data)

    assert response.status_code == 302
    assert receipts.permissions.filter(purpose=review).count() == 2


def test_it_refuses_an_empty_name(officer_client, loaded):
    response = officer_client.post(
        "/admin/purposes/purpose/add/", {"code": "blank-name", "name": "　 "}
    )

    assert response.status_code == 200
    assert "この項目は必須です。" in response.content.decode()
    assert not Purpose.objects.filter(code="blank-name").exists()


def test_it_refuses_a_category_name_already_in_the_register(officer_client, loaded):
    response = officer_client.post(
        "/admin/purposes/category/add/",
        {
            "code": "receipts-again",
            "name": "レセプトに関する情報",
            "order": "18",
            "permissions-TOTAL_FORMS": "0",
            "permissions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "名称" in response.content.decode() and "既に存在します" in response.content.decode()


def test_the_admin_says_when_the_draft_differs_and_publishes_it(officer_client, loaded):
    Category.objects.filter(code="staff").update(name="当組合の職員に関する情報")

    listing = officer_client.get("/admin/purposes/noticerevision/").content.decode()
    assert "下書きは公表済みの内容と異なります。" in listing
    assert "個人情報の類型と利用目的" in listing

    response = officer_client.post(
        "/admin/purposes/noticerevision/publish/",
        {"method": "individual", "effective": datetime.date.today().isoformat()},
        follow=True,
    )

    assert "第2版を公表しました" in response.content.decode()
    assert "下書きは公表済みの内容と同じです。" in response.content.decode()


def test_it_refuses_to_publish_from_yesterday(officer_client, loaded):
    Category.objects.filter(code="staff").update(name="当組合の職員に関する情報")
    yesterday = datetime.date.today() - datetime.timedelta(days=10)

    response = officer_client.post(
        "/admin/purposes/noticerevision/publish/",
        {"method": "website", "effective": yesterday.isoformat()},
    )

    assert response.status_code == 200
    assert "適用日は本日以降の日付にしてください。" in response.content.decode()
