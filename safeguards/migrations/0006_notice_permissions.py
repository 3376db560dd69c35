"""Give the privacy officer the notice and its publication; the 監事 reads the revisions.

The register's rows (categories, purposes, permissions) were granted in 0003; the notice's
text, notes, exemptions, safeguards and revisions came later (purposes 0003).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

NOTICE_MODELS = ("notice", "note", "exemption", "safeguard")

PERMISSIONS = {
    "個人情報取扱責任者": (
        *(f"{verb}_{model}" for model in NOTICE_MODELS for verb in ("view", "add", "change")),
        "view_noticerevision",
        "publish_noticerevision",
    ),
    "監事": (*(f"view_{model}" for model in NOTICE_MODELS), "view_noticerevision"),
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
        ("safeguards", "0005_register_permissions"),
        ("purposes", "0003_notice_and_revisions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
