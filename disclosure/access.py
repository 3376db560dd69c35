"""How the society reads a member's data to answer a request: through the gate, on the
statutory path (APPI Art. 18(3)(i)), limited to the staff member's scope and logged."""

from django.utils.translation import gettext as _

from records import gate
from safeguards.models import StatutoryGround

from .models import Request


def statutory_access(request: Request, by) -> gate.Access:
    # Answering a request under Art. 32-35 is a use the Act itself requires; the gate still
    # limits the rows to `by`'s scope and logs the read.
    return gate.open_access(
        user=by,
        surface=gate.Surface.DISCLOSURE,
        statutory=gate.Statutory(
            ground=StatutoryGround.LAW,
            reason=_("個人情報保護法に基づく開示等の請求への対応（受付番号 %(receipt)s）")
            % {"receipt": request.receipt_number},
        ),
    )
