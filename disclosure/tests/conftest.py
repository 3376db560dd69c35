import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.tests.fixtures import audit_transactional_db  # noqa: F401  (a fixture)

# The smallest bytes that `filetype` recognises as each kind.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploads, letters and packages of each test in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def jpeg():
    return lambda name="licence.jpg": SimpleUploadedFile(name, JPEG, content_type="image/jpeg")
