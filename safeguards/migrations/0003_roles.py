"""Create the staff roles (safeguards.roles) as groups with their model permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here, as a migration must be: app_label.codename of each role's model permissions.
# No role grants a read of personal data by itself: handlers read only through the gate.
PERMISSIONS = {
    "取扱担当者": (
        "records.view_member",
        "records.change_member",
        "records.view_record",
        "records.change_record",
    ),
    "個人情報取扱責任者": (
        "safeguards.view_categoryuserobjectpermission",
        "safeguards.add_categoryuserobjectpermission",
        "safeguards.delete_categoryuserobjectpermission",
        "safeguards.view_categorygroupobjectpermission",
        "safeguards.add_categorygroupobjectpermission",
        "safeguards.delete_categorygroupobjectpermission",
        "records.view_memberuserobjectpermission",
        "records.add_memberuserobjectpermission",
        "records.delete_memberuserobjectpermission",
        "safeguards.view_statutoryaccessreason",
        "purposes.view_category",
        "purposes.add_category",
        "purposes.change_category",
        "purposes.view_purpose",
        "purposes.add_purpose",
        "purposes.change_purpose",
        "purposes.view_permission",
        "purposes.add_permission",
        "purposes.change_permission",
        "records.view_restriction",
        "records.add_restriction",
        "records.change_restriction",
        "records.view_thirdpartyprovision",
        "auth.view_user",
        "auth.view_group",
    ),
    "監事": (
        "safeguards.view_categoryuserobjectpermission",
        "safeguards.view_categorygroupobjectpermission",
        "records.view_memberuserobjectpermission",
        "safeguards.view_statutoryaccessreason",
        "purposes.view_category",
        "purposes.view_purpose",
        "purposes.view_permission",
        "audit.view_event",
    ),
    "システム管理者": (
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "auth.change_group",
    ),
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("safeguards", "0002_statutory_access_reason"),
        ("records", "0002_member_handle_permission"),
        ("audit", "0002_chain_head_row"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
