"""The privacy officer records members' consents and opt-outs and their withdrawal
(records.Consent); the 監事 reads only their counts (/reports/consents/)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ("view_consent", "add_consent", "withdraw_consent")
ROLE = "個人情報取扱責任者"


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs them now.
    app_config = apps.get_app_config("records")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name=ROLE).permissions.add(
        *Permission.objects.filter(content_type__app_label="records", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get(name=ROLE).permissions.remove(
        *Permission.objects.filter(content_type__app_label="records", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("safeguards", "0015_disposal_runs"),
        ("records", "0009_consent"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
