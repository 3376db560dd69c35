import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from records.tests.factories import MemberFactory, RecordFactory

# The smallest bytes that `filetype` recognises as each kind.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The member whom the erasure tests erase (the `member` fixture).
NAME, KANA, BIRTH = "消去太郎", "ショウキョタロウ", datetime.date(1971, 3, 4)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads, letters and packages of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    # The cache is a database table: only tests that have the database can (and need) clear
    # it, once their database fixture is set up (autouse fixtures come first).
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break
    else:
        if not request.node.get_closest_marker("django_db"):
            return
    cache.clear()


@pytest.fixture
def jpeg():
    return lambda name="licence.jpg": SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


@pytest.fixture
def officer(bare_officer, superuser, register):
    """The officer who answers requests: in good standing, scoped to the member's categories.

    The scopes are granted by the superuser: a flushed database (browser tests) has lost the
    roles' model permissions that let an officer grant them.
    """
    from safeguards.scopes import grant_scope

    for code in ("health-checks", "receipts"):
        grant_scope(user=bare_officer, category=register[code], by=superuser)
    return bare_officer


@pytest.fixture
def member(register):
    member = MemberFactory(
        symbol="2002", number="45", branch="00", name=NAME, name_kana=KANA, birth_date=BIRTH
    )
    RecordFactory(
        member=member,
        category=register["health-checks"],
        # Of fiscal 2019: past the five years 特定健診 is kept (基準第10条): it may be erased.
        date=datetime.date(2019, 6, 1),
        title="消去用の健診記録",
        payload={
            "examined_on": "2019-06-01",
            "facility": "消去健診センター",
            "height_cm": 170,
            "weight_kg": 60,
            "bmi": 20.8,
        },
    )
    RecordFactory(
        member=member,
        category=register["receipts"],
        # Past the five years a receipt is kept (purposes' codes.toml): it may be erased.
        date=datetime.date(2019, 5, 31),
        title="消去用のレセプト",
        payload={
            "treatment_month": "2019-05",
            "institution_code": "1310000001",
            "institution_name": "消去クリニック",
            "setting": "外来",
            "points": 350,
        },
    )
    return member
