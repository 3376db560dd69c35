from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("開示等の請求")

    def ready(self):
        # Declaring the workflow registers it with `core.workflow.transition`.
        # The notice page (purposes, an app below this one) shows the fees of Art. 38.
        from purposes.outsourcing import FEE_SOURCES

        from . import workflow  # noqa: F401
        from .models import notice_fees

        if notice_fees not in FEE_SOURCES:
            FEE_SOURCES.append(notice_fees)
