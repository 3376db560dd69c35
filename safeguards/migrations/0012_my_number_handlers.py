"""The designation of 個人番号事務取扱担当者 (番号法; 特定個人情報ガイドライン): a group with no
permission of its own. The gate reads a category flagged 個人番号を含む only for its members."""

from django.db import migrations

NAME = "個人番号事務取扱担当者"


def create(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("safeguards", "0011_administration"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, remove)]
