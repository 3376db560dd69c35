from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("共通基盤")

    def ready(self) -> None:
        # Kumiai keeps no 個人番号: every text field people type refuses one (core.mynumber).
        from .mynumber import guard_models

        guard_models(apps.get_models())
