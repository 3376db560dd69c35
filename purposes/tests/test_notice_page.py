"""/privacy/: the whole published notice, as accessible Japanese HTML."""

import re
from pathlib import Path

import pytest

from audit.trail import SYSTEM
from purposes.models import Notice
from purposes.services import publish

NOTICE_FILE = Path(__file__).resolve().parents[1] / "data" / "notice-ja.md"
JAPANESE = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"


def clean(text: str) -> str:
    # Spaces the print's line breaks left: between Japanese characters, or after a bracket.
    return re.sub(rf"(?<={JAPANESE}|\)) +(?={JAPANESE}|\()", "", text.strip())


def notice_file_register() -> list[tuple[str, list[str]]]:
    """The register as the file prints it, read here without the project's parser."""
    section_1 = NOTICE_FILE.read_text(encoding="utf-8").split("## 2.")[0]
    rows = [line.split("\t") for line in section_1.splitlines() if "\t" in line]
    return [(clean(name), [clean(p) for p in purposes.split("、")]) for name, purposes in rows[1:]]


def register_table(html: str) -> str:
    return html.split('<table class="register">')[1].split("</table>")[0]


def test_the_file_holds_17_categories():
    assert len(notice_file_register()) == 17


def test_it_lists_every_category_and_purpose_of_the_notice_in_order(client, loaded):
    table = register_table(client.get("/privacy/").content.decode())

    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', table, re.S)
    shown = [(name, re.findall(r"<li>(.*?)</li>", cell)) for name, cell in rows]
    assert shown == notice_file_register()


def test_it_renders_sections_1_to_4_with_the_desk(client, loaded):
    html = client.get("/privacy/").content.decode()

    for heading in ("1. 個人情報の利用目的", "2. 安全管理措置の内容", "4. 保有個人データの"):
        assert f">{heading}" in html
    assert "利用目的を本人に通知し、又は公表することにより当組合の権利" in html
    assert html.count('<th scope="row">') == 17 + 4  # the register and the four safeguards
    assert "日本赤十字社健康保険組合 総務課" in html
    assert "〒105-0012 東京都港区芝大門1-1-3" in html
    assert 'href="tel:0366721505"' in html


def test_it_is_japanese_and_names_the_society_in_the_title(client, loaded):
    html = client.get("/privacy/").content.decode()

    assert '<html lang="ja">' in html
    assert "<title>個人情報保護法に基づく公表事項 | 日本赤十字社健康保険組合</title>" in html
    assert '<th scope="col">個人情報の類型</th>' in html


def test_it_links_the_requests_procedure_page(client, loaded):
    html = client.get("/privacy/").content.decode()

    assert '<a href="/requests/">開示等の請求の手続と様式</a>' in html
    assert "URL を記載する" not in html
    assert client.get("/requests/").status_code == 200


def test_it_prints_a_placeholder_that_is_not_an_address(client, loaded):
    placeholder = "（※開示要領や様式を掲載している自組合のホームページの URL を記載する。）"
    Notice.objects.filter(pk=1).update(requests_page=placeholder)
    publish(method="website", by=SYSTEM)

    html = client.get("/privacy/").content.decode()
    assert placeholder in html and '<a href="/requests/">' not in html


@pytest.mark.django_db
def test_it_says_so_before_anything_is_published(client):
    response = client.get("/privacy/")

    assert response.status_code == 200
    assert "公表事項はまだ公表されていません。" in response.content.decode()
