"""Give the complaints desk its permissions: the handlers (取扱担当者) and the privacy officer
record and handle complaints (notice §4, 苦情の申出先). No role deletes one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_complaint", "add_complaint", "change_complaint", "handle_complaint")
ROLES = ("取扱担当者", "個人情報取扱責任者")


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("complaints")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="complaints", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="complaints", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("safeguards", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
