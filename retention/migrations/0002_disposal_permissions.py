"""The privacy officer approves and carries out disposal runs; the 監事 reads them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "個人情報取扱責任者": ("view_disposalrun", "change_disposalrun"),
    "監事": ("view_disposalrun",),
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("retention")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="retention", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="retention", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_disposal_runs"),
        ("safeguards", "0014_outsourcing_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
