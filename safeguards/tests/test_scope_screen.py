"""The scope screen is found (linked from the admin's index, its register of grants and each
user's page) and reads Japanese, with each person's role and categories on one line."""

import pytest

from safeguards.scopes import grant_scope

pytestmark = pytest.mark.django_db
SCREEN = "/admin/safeguards/categoryuserobjectpermission/user/"


def test_the_index_leads_the_officer_to_the_scope_screen(sign_in, privacy_officer):
    html = sign_in(privacy_officer).get("/admin/").content.decode()
    assert f'href="{SCREEN}"' in html and "担当の割当てを開く" in html


def test_a_handler_is_not_led_there(sign_in, handler_kenshin):
    html = sign_in(handler_kenshin).get("/admin/").content.decode()
    assert SCREEN not in html


def test_a_users_page_links_to_their_scope(sign_in, superuser, handler_kenshin):
    html = sign_in(superuser).get(f"/admin/auth/user/{handler_kenshin.pk}/change/")
    assert f'href="{SCREEN}{handler_kenshin.pk}/"' in html.content.decode()


def test_the_screen_lists_each_persons_role_and_categories(
    sign_in, privacy_officer, handler_kenshin
):
    html = sign_in(privacy_officer).get(SCREEN).content.decode()
    row = html[html.index("handler_kenshin") :]
    row = row[: row.index("</tr>")]
    assert "取扱担当者" in row and "健康診査に関する情報" in row


def test_the_register_of_grants_reads_japanese(sign_in, privacy_officer, handler_kenshin, register):
    grant_scope(user=handler_kenshin, category=register["receipts"], by=privacy_officer)
    html = sign_in(privacy_officer).get("/admin/safeguards/categoryuserobjectpermission/")
    page = html.content.decode()
    for english in ("USER", "CONTENT OBJECT", "content object", "User:", ">User<"):
        assert english not in page
    assert "職員" in page and "取り扱う類型" in page and "類型 で絞り込む" in page
    assert f'href="{SCREEN}"' in page
