from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("加入者と記録")

    def ready(self) -> None:
        from records.gate.opening import install_opening

        post_migrate.connect(install_opening, sender=self)
