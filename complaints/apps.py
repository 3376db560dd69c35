from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("苦情")

    def ready(self):
        from disclosure.signals import erasure_candidates, member_erasing, member_held

        from . import disclosed, erasure, workflow  # noqa: F401  (declaring it registers the workflow)

        # Complaints sits above disclosure: disclosure announces the erasure, we let go.
        member_erasing.connect(erasure.member_erasing, dispatch_uid="complaints.erasure")
        erasure_candidates.connect(erasure.candidates, dispatch_uid="complaints.erasure")
        # An Art. 33 package holds the complaints kept about the member.
        member_held.connect(disclosed.held, dispatch_uid="complaints.disclosed")
