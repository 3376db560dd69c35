import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import Event
from audit.vocabulary import Action
from records.models import Member
from records.tests.test_import import MEMBERS_CSV

pytestmark = pytest.mark.django_db

URL = "/api/v1/import/"


def _client(*, staff: bool = True, permitted: bool = True) -> APIClient:
    user = get_user_model().objects.create_user("core-system", is_staff=staff)
    if permitted:
        user.user_permissions.add(Permission.objects.get(codename="import_data"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _post_csv(client: APIClient, data: bytes, query: str = "?kind=members"):
    return client.generic("POST", URL + query, data, content_type="text/csv")


def test_it_requires_a_token():
    response = APIClient().post(URL + "?kind=members", MEMBERS_CSV, content_type="text/csv")

    assert response.status_code == 401
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("staff", "permitted", "status"),
    # A token dies with the staff status: it no longer authenticates (issue 15).
    [(True, False, 403), (False, True, 401)],
)
def test_it_requires_a_staff_account_with_the_import_permission(staff, permitted, status):
    response = _post_csv(_client(staff=staff, permitted=permitted), MEMBERS_CSV.encode())

    assert response.status_code == status
    assert not Member.objects.exists()


def test_it_imports_an_uploaded_file_and_reports_in_json():
    upload = SimpleUploadedFile("members.csv", MEMBERS_CSV.encode("utf-8-sig"), "text/csv")

    response = _client().post(URL + "?kind=members", {"file": upload}, format="multipart")

    assert response.status_code == 200
    assert response.json() | {"sha256": ""} == {
        "kind": "members",
        "sha256": "",
        "dry_run": False,
        "imported": True,
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "error_count": 0,
        "errors": [],
        "masked": [],
    }
    assert Member.objects.count() == 3
    assert Event.objects.get(action=Action.RECORDS_MEMBER_IMPORTED).actor_kind == "user"


def test_it_reads_a_shift_jis_body():
    response = _post_csv(_client(), MEMBERS_CSV.encode("cp932"))

    assert response.status_code == 200
    assert Member.objects.get(source_id="M-1").name_kana == "ヤマダ タロウ"


def test_it_answers_400_with_each_bad_row_and_imports_nothing():
    response = _post_csv(_client(), MEMBERS_CSV.replace(",男,", ",不明,").encode())

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "sex", "reason": "「性別」は 1（男）か 2（女）にしてください。"}
    ]
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # binary
        "記号,番号\n1001,42\n".encode("utf-16"),  # an encoding it does not accept
        b"source_id,symbol\nM-1,1001\n",  # missing columns
        b'"unterminated\n',
        b"",
    ],
)
def test_it_answers_400_and_never_500_to_garbage(data):
    response = _post_csv(_client(), data)

    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Member.objects.exists()


def test_it_refuses_a_request_without_a_kind_or_a_file():
    client = _client()

    assert _post_csv(client, MEMBERS_CSV.encode(), query="").status_code == 400
    assert client.post(URL + "?kind=members", {}, format="multipart").status_code == 400
