import re

import pytest
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The status page counts failures in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def desk(db):
    """A member of the complaints desk: a handler (取扱担当者) on the complaints desk, in good
    standing, without any data scope."""
    from safeguards.models import Desk
    from safeguards.roles import Role
    from safeguards.scopes import grant_scope
    from safeguards.testing import in_good_standing, make_staff

    user = in_good_standing(make_staff("desk", Role.HANDLER))
    grant_scope(
        user=user, desk=Desk.of(Desk.Code.COMPLAINTS), by=make_staff("admin", is_superuser=True)
    )
    return user


def draft(confirm) -> str:
    """The signed draft that a confirmation page carries instead of the fields."""
    return re.search(r'name="draft" value="([^"]+)"', confirm.text)[1]


@pytest.fixture
def submit_online(client):
    """The public form as a visitor sends it: filled in, confirmed, sent; the page they land on."""

    def submit_online(data):
        confirm = client.post(reverse("complaints:new"), data)
        assert "complaints/confirm.html" in [t.name for t in confirm.templates], confirm.text
        return client.post(
            reverse("complaints:confirm"), {"draft": draft(confirm), "send": "1"}, follow=True
        )

    return submit_online
