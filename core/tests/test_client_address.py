"""Who a client is, for the tries limits and the sign-in lockout: its own address, or behind
the configured reverse proxies the address the outermost one saw, never what it claims."""

from django.test import RequestFactory

from core.ratelimit import client_address


def forwarded(remote: str, header: str = ""):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if header:
        request.META["HTTP_X_FORWARDED_FOR"] = header
    return request


def test_a_client_is_its_remote_address_and_a_forwarded_header_is_ignored(settings):
    settings.PROXY_COUNT = 0

    assert client_address(forwarded("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_proxies_a_client_is_the_entry_the_outermost_proxy_appended(settings):
    settings.PROXY_COUNT = 2
    # The client sent a made-up entry; proxy 1 appended the client, proxy 2 appended proxy 1.
    request = forwarded("10.0.0.2", "192.0.2.99, 203.0.113.5, 10.0.0.1")

    assert client_address(request) == "203.0.113.5"


def test_a_request_that_bypassed_the_proxies_counts_as_its_remote_address(settings):
    settings.PROXY_COUNT = 2

    assert client_address(forwarded("203.0.113.8", "192.0.2.99")) == "203.0.113.8"
    assert client_address(forwarded("203.0.113.8")) == "203.0.113.8"
