"""Helpers for tests of the public desks (imported by tests only)."""

from urllib.parse import parse_qs, urlsplit


def open_status_link(client, link: str):
    """Open a status link as a browser does: the address without its fragment (the token page),
    then the fragment's token posted, as `core/status_token.js` posts it. The response after
    the redirects."""
    parts = urlsplit(link)
    token = parse_qs(parts.fragment)["t"][0]
    client.get(parts.path)
    return client.post(parts.path, {"token": token}, follow=True)
