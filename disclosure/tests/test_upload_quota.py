"""Uploads within bounds: a page that fails validation stores only the documents the filer is
told were kept, a file sent again replaces the one kept, and each client may store only so
many bytes an hour (`settings.UPLOAD_BYTES_PER_HOUR`), refused in Japanese past that."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.forms import OVER_QUOTA
from disclosure.models import IdentityDocument
from disclosure.tests.test_filing import FULL_WIDTH

pytestmark = pytest.mark.django_db

# The birth date left out: every page below fails validation.
INVALID = {**FULL_WIDTH, "birth_date": ""}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_page_with_errors_keeps_only_the_document_it_asks_for(client, jpeg, settings):
    # A filer for themself is asked for their own identity document only.
    response = client.post(
        "/requests/new/",
        {
            **INVALID,
            "identity_document": jpeg(),
            "agent_identity_document": jpeg("agent.jpg"),
            "authority_document": jpeg("proxy.jpg"),
        },
    )

    page = response.content.decode()
    assert "生年月日" in page and "入力内容の確認" not in page
    assert list(IdentityDocument.objects.values_list("role", flat=True)) == ["identity"]
    assert len(stored_files(settings)) == 1
    assert page.count('class="kept"') == 1  # the one kept is the one the page says it kept


def test_a_document_that_fails_its_check_stores_nothing(client, settings):
    script = SimpleUploadedFile("licence.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")

    response = client.post("/requests/new/", {**INVALID, "identity_document": script})

    assert "JPEG・PNG・HEIC の画像か PDF のファイルを選んでください。" in response.content.decode()
    assert not IdentityDocument.objects.exists()
    assert stored_files(settings) == []


def test_a_file_sent_again_replaces_the_one_kept(
    client, jpeg, settings, django_capture_on_commit_callbacks
):
    first = client.post("/requests/new/", {**INVALID, "identity_document": jpeg()})
    kept = first.context["form"].data["uploads"]

    with django_capture_on_commit_callbacks(execute=True):  # the file goes after the commit
        client.post("/requests/new/", {**INVALID, "uploads": kept, "identity_document": jpeg()})

    assert IdentityDocument.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_the_hourly_quota_refuses_further_uploads_in_japanese(client, jpeg, settings):
    settings.UPLOAD_BYTES_PER_HOUR = 2 * 1024 * 1024  # two files of up to a mebibyte
    for _ in range(2):
        client.post("/requests/new/", {**INVALID, "identity_document": jpeg()})
    assert IdentityDocument.objects.count() == 2

    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()})

    page = response.content.decode()
    assert response.status_code == 200
    assert str(OVER_QUOTA) in page and "入力内容の確認" not in page
    assert IdentityDocument.objects.count() == 2
    assert len(stored_files(settings)) == 2
    # Another client's quota is its own.
    other = client.post(
        "/requests/new/", {**FULL_WIDTH, "identity_document": jpeg()}, REMOTE_ADDR="192.0.2.7"
    )
    assert "入力内容の確認" in other.content.decode()
    assert IdentityDocument.objects.count() == 3


def test_a_file_larger_than_the_quota_allows_is_refused_and_not_stored(client, settings):
    settings.UPLOAD_BYTES_PER_HOUR = 1024 * 1024
    from disclosure.tests.conftest import JPEG

    big = SimpleUploadedFile("scan.jpg", JPEG + b"\x00" * (1024 * 1024), content_type="image/jpeg")

    response = client.post("/requests/new/", {**FULL_WIDTH, "identity_document": big})

    assert str(OVER_QUOTA) in response.content.decode()
    assert not IdentityDocument.objects.exists()
    assert stored_files(settings) == []
