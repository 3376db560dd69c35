from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class SafeguardsConfig(AppConfig):
    name = "safeguards"
    verbose_name = _("安全管理措置")

    def ready(self):
        # Declaring the workflows registers them with `core.workflow.transition`.
        from . import accounts, incidents, organisation  # noqa: F401

        # Every change of an account, a group, a permission or a token is an event.
        accounts.connect()

        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed

        from .roles import forget_roles

        m2m_changed.connect(forget_roles, sender=User.groups.through, dispatch_uid="kumiai_roles")


class KumiaiAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with Kumiai's two-factor site as `admin.site`."""

    default = False
    default_site = "safeguards.admin_site.KumiaiAdminSite"
