"""A complaint when its member is erased (消去, APPI Art. 35): what it keeps, what goes.

A complaint is the complainant's own filing, not the society's record of the member; but a
complaint linked to a member who asked to be erased holds that member's values as typed
(name, contact details, 記号・番号, and an account that names them), and a dump of the
database must not show them afterwards. So, as a request's filing does (disclosure.erasure),
the complaint keeps one keyed digest of those fields, against which a later claim can be
checked, and the fields are emptied. What shows that the desk handled it stays (APPI Art.
40; the 監事's audit; the monthly summary): the receipt number, channel, subject, category,
the request it named, the dates, the states, the response as written, the cause and the
corrective action. The trail, which never held the values, keeps ids and the digest.

Refused while a linked complaint is open: the desk still has to answer it, and it answers
with those contact details. The desk closes or withdraws it first, as requests wait for the
member's other requests (disclosure.erasure).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit.vocabulary import Action
from core import filing

from .models import Complaint


def member_erasing(*, member, by, reference: str, **_kwargs) -> None:
    """Receiver of `disclosure.signals.member_erasing`, in the erasure's transaction."""
    linked = Complaint.objects.select_for_update().filter(member=member).order_by("pk")
    if any(complaint.is_open for complaint in linked):
        raise ValidationError(
            _(
                "この加入者に関する処理中の苦情があります。先にそれらを完了してから"
                "消去してください。"
            )
        )
    for complaint in linked:
        filing.reduce(
            complaint,
            by=by,
            action=Action.COMPLAINTS_FILING_REDUCED,
            details={"reference": reference},
        )
