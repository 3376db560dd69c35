"""Every admin list, and every other page, answers a query string holding what the database
refuses (a NUL byte, on PostgreSQL), cannot parse, or no row can match, without a 500: an
admin list shows the list, another page whatever it shows for a wrong parameter."""

from urllib.parse import parse_qsl

import pytest

from tests.personas import PERSONAS
from tests.test_authorization_matrix import ADMIN_MODELS, ROWS, fill

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


JUNK_PARAMETERS = (
    "q", "p", "o", "page", "from", "until", "period", "start", "end", "purpose", "category",
    "handler", "surface", "action", "day", "kind", "state", "t", "format", "e",
)  # fmt: skip


@pytest.mark.parametrize(
    "route", [r for r, row in ROWS.items() if 200 in row.statuses and "admin/" not in r]
)
def test_a_page_survives_junk_in_its_query_string(route, as_persona, world):
    row = ROWS[route]
    persona = PERSONAS[row.statuses.index(200)]
    client = as_persona(persona)
    path, _, query = fill(row.url, persona, world["objects"], client).partition("?")
    own = dict(parse_qsl(query))  # the API's purpose stays, so that the page opens

    for value in BAD:
        response = client.get(path, {**dict.fromkeys(JUNK_PARAMETERS, value), **own})

        assert response.status_code < 500, (route, repr(value))
