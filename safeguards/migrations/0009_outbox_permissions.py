"""The privacy officer (個人情報取扱責任者) watches the outbox (core.OutboxMail) and resends
the mail that could not be sent; nobody else reads it (the system administrator, superuser,
reads everything)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_outboxmail", "resend_outboxmail")
ROLE = "個人情報取扱責任者"


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="core", codename__in=CODENAMES)


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs them now.
    app_config = apps.get_app_config("core")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    for group in apps.get_model("auth", "Group").objects.filter(name=ROLE):
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name=ROLE):
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("safeguards", "0008_desks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
