"""Operations on complaints other than state moves (those are `core.workflow.transition`,
by the table in `complaints.workflow`).

Called alike from the public form, the admin and any later API: each writes its audit event
in the caller's transaction, its mail among it (`core.outbox`).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.trail import By, actor_for, append, user_of
from audit.vocabulary import Action
from core import deadlines
from core.receipts import hash_token, new_receipt_number, new_token
from safeguards.incidents import report_incident
from safeguards.models import Incident

from . import matching, notices
from .models import Complaint

# The desk's own promise (APPI Art. 40 says only 適切かつ迅速): a first word to the
# complainant within 5 working days, an answer within 20. Settings may change either.
FIRST_RESPONSE_WORKING_DAYS = getattr(settings, "COMPLAINTS_FIRST_RESPONSE_WORKING_DAYS", 5)
ANSWER_WORKING_DAYS = getattr(settings, "COMPLAINTS_ANSWER_WORKING_DAYS", 20)


# The requests' receipt numbers with a leading "C", so that a complaint's number is never
# mistaken for a request's on the phone.
RECEIPT_PREFIX = "C"


def complaint_file(
    *,
    complaint: Complaint,
    channel: str,
    received_at: datetime.datetime,
    by: By,
    base_url: str,
    submission_key: str | None = None,
) -> tuple[Complaint, str | None]:
    """Store a new complaint; return it with its status token (shown once, never stored).

    `complaint` is the unsaved instance a `ComplaintForm` built. When `submission_key` was
    filed already (the confirmation sent twice), returns that complaint and None.
    The 記号・番号 and the request's receipt number are linked when they match exactly,
    silently: whether they did is never told to the complainant. The 記号・番号 is matched
    by the gate once the complaint is saved, so that the gate's event names it. A suspected
    leak opens an incident in the safeguards register, whose service alerts the privacy
    officer, in the same transaction (APPI Art. 26).
    """
    if submission_key and (
        existing := Complaint.objects.filter(submission_key=submission_key).first()
    ):
        return existing, None
    received_on = deadlines.local_date(received_at)
    token = new_token()
    complaint.channel = channel
    complaint.received_at = received_at
    complaint.created_by = user_of(by)
    complaint.submission_key = submission_key
    complaint.token_hash = hash_token(token)
    complaint.receipt_number = new_receipt_number(Complaint, on=received_on, prefix=RECEIPT_PREFIX)
    complaint.first_response_due = deadlines.add_working_days(
        received_on, FIRST_RESPONSE_WORKING_DAYS
    )
    complaint.answer_due = deadlines.add_working_days(received_on, ANSWER_WORKING_DAYS)
    complaint.member = None  # linked by the match below, never as given
    complaint.request_id = matching.request_id(complaint.request_receipt_number)

    with transaction.atomic():
        if complaint.subject == Complaint.Subject.LEAK:
            complaint.incident = _report_incident(complaint, by=by)
        complaint.full_clean()
        complaint.save()
        # After the save: the gate's event names the complaint it matched for.
        complaint.member_id = matching.member_id(complaint=complaint, by=by)
        if complaint.member_id is not None:
            complaint.save(update_fields=["member"])
        append(
            action=Action.COMPLAINTS_COMPLAINT_RECEIVED,
            actor=actor_for(by),
            target=complaint,
            details={
                "channel": channel,
                "subject": complaint.subject,
                "anonymous": complaint.anonymous,
                "member_id": complaint.member_id,
                "request_id": complaint.request_id,
                "incident_id": complaint.incident_id,
            },
        )
        notices.received(complaint, status_url=complaint.status_url(base_url=base_url, token=token))
    return complaint, token


def _report_incident(complaint: Complaint, *, by: By) -> Incident:
    # The summary says where it came from and nothing of what was written: the officer
    # reads the complaint itself, behind sign-in. The reporter is the desk member who took
    # it down, or the public for the web form, not a member of staff.
    incident = Incident(
        kind=Incident.Kind.LEAK,
        summary=_("苦情（受付番号 %(number)s）による漏えい等のおそれの申出")
        % {"number": complaint.receipt_number},
        discovered_at=complaint.received_at,
    )
    report_incident(incident=incident, by=by, source=Incident.Source.COMPLAINT)
    if complaint.category_id:
        incident.categories.add(complaint.category_id)
    return incident


def complaint_update(*, complaint: Complaint, by, fields: list[str]) -> Complaint:
    """Save the desk's handling fields (assignee, response, cause, links), audited by name.

    A 記号・番号 corrected by staff is matched again, exactly as at intake: that is how the
    desk links a member the form could not.
    """
    rematch = bool({"member_symbol", "member_number"} & set(fields))
    if rematch:
        fields = [*fields, "member"]
    complaint.full_clean()
    with transaction.atomic():
        if rematch:
            complaint.member_id = matching.member_id(complaint=complaint, by=by)
        complaint.save()
        append(
            action=Action.COMPLAINTS_COMPLAINT_CHANGED,
            actor=actor_for(by),
            target=complaint,
            details={"fields": sorted(fields), "member_id": complaint.member_id},
        )
    return complaint
