"""The privacy officer keeps the registers of processors (委託先) and their audits, of joint
use (共同利用) and the society's own fields; the 監事 reads them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ("processor", "processoraudit", "jointuse", "societyprofile")

PERMISSIONS = {
    "個人情報取扱責任者": tuple(
        f"{verb}_{model}" for model in MODELS for verb in ("view", "add", "change", "delete")
    ),
    "監事": tuple(f"view_{model}" for model in MODELS),
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("purposes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.add(
            *Permission.objects.filter(content_type__app_label="purposes", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="purposes", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("safeguards", "0013_incident_my_number"),
        ("purposes", "0005_processors_and_joint_use"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
