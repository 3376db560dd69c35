"""The complaints kept about a member, for their Art. 33 disclosure package.

Receiver of `disclosure.signals.member_held`: complaints sit above disclosure, so the package
asks and the desk answers. Read through the gate on the request's own access to its one
member (`records.gate.subject_desk`), whoever carries the request out: what the society
holds does not depend on the desks of the staff member (APPI Art. 33(1)).
"""

from django.utils.translation import gettext as _

from core import deadlines
from core.wareki import format_wareki
from disclosure.signals import HeldSection
from records import gate
from safeguards.models import Desk

from .models import Complaint


def held(*, access: gate.Access, **_kwargs) -> HeldSection:
    complaints = gate.filings(
        gate.subject_desk(access, desk=Desk.Code.COMPLAINTS),
        Complaint.objects.order_by("received_at", "id"),
    )
    return HeldSection(
        key="complaints",
        title=_("苦情の申出"),
        columns={
            "received_on": _("受付日"),
            "subject": _("申出の対象"),
            "what_happened": _("申出の内容"),
            "state": _("状態"),
            "responded_on": _("回答日"),
        },
        widths_mm=(26, 30, 74, 20, 20),
        rows=[
            {
                "received_on": format_wareki(deadlines.local_date(c.received_at)),
                "subject": c.get_subject_display(),
                "what_happened": c.what_happened,
                "state": c.get_state_display(),
                "responded_on": format_wareki(deadlines.local_date(c.responded_at))
                if c.responded_at
                else "",
            }
            for c in complaints
        ],
    )
