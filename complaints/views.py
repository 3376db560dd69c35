"""The public pages of the complaints desk: the form, its confirmation, the receipt, the
status page, all the shared desk's (`core.filing.Desk`). No account is needed; nothing here
shows personal data of anyone but what the complainant typed on this very visit, and the
status page shows states and dates only.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from audit.trail import PUBLIC
from core.filing import Desk
from core.wareki import format_wareki

from . import services
from .forms import ComplaintForm
from .models import Complaint


def _file(request, form: ComplaintForm, submission_key: str):
    return services.complaint_file(
        complaint=form.save(commit=False),
        channel=Complaint.Channel.WEB,
        received_at=timezone.now(),
        by=PUBLIC,
        base_url=request.build_absolute_uri("/"),
        submission_key=submission_key,
    )


DESK = Desk(
    namespace="complaints",
    model=Complaint,
    form_class=ComplaintForm,
    file=_file,
    status_title=gettext_lazy("苦情の対応状況の確認"),
    receipt_prefix=services.RECEIPT_PREFIX,
    done_context=lambda filed: {
        "first_response_due": format_wareki(filed.first_response_due),
        "answer_due": format_wareki(filed.answer_due),
    },
)
