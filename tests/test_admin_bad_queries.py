"""Every admin list answers a search or filter that the database refuses (a NUL byte, on
PostgreSQL), cannot parse, or that no row can match, with the list and not a 500."""

import pytest

from tests.personas import PERSONAS
from tests.test_authorization_matrix import ADMIN_MODELS

BAD = ["\x00", "a\x00b", "%", "'\"\\", "９" * 300]


def reader(model: str) -> str:
    """A persona whose changelist of `model` opens."""
    return PERSONAS[ADMIN_MODELS[model].index(200)]


@pytest.mark.parametrize("model", [m for m in ADMIN_MODELS if 200 in ADMIN_MODELS[m]])
def test_an_admin_list_survives_a_bad_search_or_filter(model, as_persona):
    client = as_persona(reader(model))

    for value in BAD:
        searched = client.get(f"/admin/{model}/", {"q": value})
        filtered = client.get(f"/admin/{model}/", {"id__exact": value, "o": value, "p": value})

        assert searched.status_code == 200, repr(value)
        assert filtered.status_code in (200, 302), repr(value)
