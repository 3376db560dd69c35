"""Give the requests desk its model permissions, so that the admin's screens open.

Handlers (取扱担当者) and the privacy officer enter paper requests and move them
(view, add, change); the officer also sets each kind's deadline and fee (APPI Art. 38(2)).
Who may make which move, deciding and rejecting included, is the state table's
(`disclosure.workflow.TRANSITIONS`: the officer's alone), not a model permission. No role
deletes a request: withdrawal and rejection are states.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "取扱担当者": ("view_request", "add_request", "change_request", "view_kindpolicy"),
    "個人情報取扱責任者": (
        "view_request",
        "add_request",
        "change_request",
        "view_kindpolicy",
        "change_kindpolicy",
    ),
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="disclosure", codename__in=codenames)


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("disclosure")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*_permissions(apps, GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*_permissions(apps, GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_erasure_digests"),
        ("safeguards", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
