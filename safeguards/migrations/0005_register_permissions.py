"""Give the roles (safeguards.roles) their permissions on the safeguards registers.

Every staff member may report an incident; the privacy officer keeps the registers; the
監事 reads them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REGISTERS = (
    "pledge",
    "trainingcourse",
    "trainingsession",
    "attendance",
    "staffstanding",
    "officerappointment",
    "checklistitem",
    "inspection",
    "inspectionresult",
    "auditplan",
    "auditfinding",
    "correctiveaction",
    "incident",
    "incidentstep",
    "securearea",
    "areaentry",
    "devicecheckout",
)

PERMISSIONS = {
    "取扱担当者": ("add_incident",),
    "個人情報取扱責任者": tuple(
        f"{verb}_{model}" for model in REGISTERS for verb in ("view", "add", "change", "delete")
    ),
    "監事": tuple(f"view_{model}" for model in REGISTERS),
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("safeguards")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="safeguards", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in PERMISSIONS.items():
        Group.objects.get(name=role).permissions.remove(
            *Permission.objects.filter(content_type__app_label="safeguards", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("safeguards", "0004_registers")]

    operations = [migrations.RunPython(grant, revoke)]
