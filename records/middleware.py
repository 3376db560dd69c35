"""Wrap each request, view and template rendering alike, in the gate's ledger.

Django's ATOMIC_REQUESTS covers the view only: an admin changelist is a TemplateResponse
whose lazy querysets are fetched while it renders, after the view has returned. This
middleware opens one transaction around both, so that the request's single access event
(`records.gate`) commits with everything the request did, or not at all. ATOMIC_REQUESTS
stays on: each view keeps its own savepoint inside, which DRF's error handling rolls back.

An admin page opened before a purpose is chosen (`gate.PurposeMissing`) leads to the purpose
picker, which comes back to the page once one is chosen; the refusal is audited as any.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from records import gate


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
