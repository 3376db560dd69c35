from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("保存期間と廃棄")

    def ready(self):
        from . import disposal  # noqa: F401  (declaring it registers the workflow)
