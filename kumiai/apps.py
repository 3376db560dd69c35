from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KumiaiConfig(AppConfig):
    name = "kumiai"
    verbose_name = _("Kumiai")
