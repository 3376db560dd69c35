from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("開示等の請求")

    def ready(self):
        # Declaring the workflow registers it with `core.workflow.transition`.
        from . import workflow  # noqa: F401
