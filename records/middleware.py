"""Wrap each request in one transaction, and the view and template rendering in the gate's
ledger inside it.

Django's ATOMIC_REQUESTS covers the view only: an admin changelist is a TemplateResponse
whose lazy querysets are fetched while it renders, after the view has returned. This
middleware opens one transaction around both, so that the request's single access event
(`records.gate`) commits with everything the request did, or not at all. ATOMIC_REQUESTS
stays on: each view keeps its own savepoint inside, which DRF's error handling rolls back.

Around the ledger, and around the session's middleware, `RequestTransactionMiddleware` holds
the request's one transaction: the ledger's becomes a savepoint inside it, so a failed request
still rolls back everything the ledger covers (the refusals are appended after the savepoint),
while the session's save, which SESSION_SAVE_EVERY_REQUEST makes on every request, commits
with the access event instead of in a second transaction: a page commits a write once, and
each such commit waits for the disk.

An admin page opened before a purpose is chosen (`gate.PurposeMissing`) leads to the purpose
picker, which comes back to the page once one is chosen; the refusal is audited as any.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from records import gate


class RequestTransactionMiddleware:
    """One transaction around all a request writes: the session's save, the view's writes and
    the access event (`GateLedgerMiddleware`), the refusals. Placed after WhiteNoise, which
    serves static files with no database, and before SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with transaction.atomic():
            return self.get_response(request)


class GateLedgerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with gate.ledger() as ledger:
            request.gate_failed = False
            response = self.get_response(request)
            # A failed request keeps nothing, not even the record of what it read; the
            # refusals it met are appended after the rollback (see gate.ledger).
            if request.gate_failed or response.status_code >= 500:
                ledger.abandon()
        return response

    def process_exception(self, request, exception):
        # Called for exceptions from the view and from template rendering, before Django
        # turns them into a response (403, 404, 500) that this middleware then receives.
        request.gate_failed = True
        match = request.resolver_match
        if (
            isinstance(exception, gate.PurposeMissing)
            and request.method == "GET"
            and match is not None
            and match.namespace == "admin"
        ):
            messages.info(request, str(exception))
            picker = reverse("admin:records_purpose")
            return HttpResponseRedirect(f"{picker}?{urlencode({'next': request.get_full_path()})}")
        return None
