import pytest
from django.core.cache import cache

from audit.tests.fixtures import audit_transactional_db  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The status page counts failures in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(db):
    """A member of the complaints desk: a handler (取扱担当者) without any data scope."""
    from conftest import _staff
    from safeguards.roles import Role

    return _staff("desk", Role.HANDLER)
