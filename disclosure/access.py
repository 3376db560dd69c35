"""How the society reads a member's data to answer a request: through the gate, on the
statutory path (APPI Art. 18(3)(i)), the one person the request is about in every category,
logged under the request.

Answering a request under Art. 32-35 is a use the Act itself requires, and it asks for all
the society holds about the person: so the access is not the staff member's scope but the
request's subject (its card and birth date until the match, the matched member after),
opened only for the staff who handle requests (the requests desk, `DESK`), who also read
the requests themselves, their documents and letters only through the gate
(`records.gate.filings`).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from records import gate
from records.models import Protection
from safeguards.models import Desk, StatutoryGround

from .models import Request

DESK = Desk.Code.REQUESTS


def handles_requests(user) -> bool:
    """Whether `user` is one of the staff who handle requests: the requests desk is in their
    scope (`safeguards.scopes`), or they are the privacy officer."""
    return gate.may_handle(user, DESK)


def filed_for_protected(request: Request) -> bool:
    """Whether `request` is about a member protected today (DV, stalking, child abuse;
    `records.Protection`) and filed on their behalf (an agent, the bereaved): then nothing
    that would tell the filer about the member goes to them, no mail (`notify`) and no
    第三者提供記録 in the package (`package`). Ids only: the member is not read."""
    return (
        request.member_id is not None
        and request.on_behalf
        and bool(Protection.objects.member_ids([request.member_id]))
    )


def statutory_access(request: Request, by) -> gate.Access:
    if not handles_requests(by):
        raise PermissionDenied(
            _("開示等の請求は、開示等請求窓口の担当者か個人情報取扱責任者が扱います。")
        )
    lookups: tuple[tuple[str, object], ...]
    if request.member_id is not None:
        lookups = (("pk", request.member_id),)
    else:
        lookups = (
            ("symbol", request.member_symbol),
            ("number", request.member_number),
            ("branch", request.member_branch),
            ("birth_date", request.birth_date),
        )
    return gate.open_access(
        user=by,
        surface=gate.Surface.DISCLOSURE,
        statutory=gate.Statutory(
            ground=StatutoryGround.LAW,
            reason=_("個人情報保護法に基づく開示等の請求への対応（受付番号 %(receipt)s）")
            % {"receipt": request.receipt_number},
        ),
        subject=gate.Subject(filing=request, lookups=lookups),
    )
