"""Only the privacy officer sets and lifts a protection (DV and the like); no other role
holds its permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = {
    "個人情報取扱責任者": ("view_protection", "add_protection", "change_protection"),
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs them now.
    app_config = apps.get_app_config("records")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="records", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="records", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0010_protection"),
        ("safeguards", "0014_outsourcing_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
