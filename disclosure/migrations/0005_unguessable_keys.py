"""Identity documents and letters get an unguessable key for their addresses: added empty,
filled one by one (a default would give every existing row the same key), then unique."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    for name in ("IdentityDocument", "Letter"):
        model = apps.get_model("disclosure", name)
        for pk in model.objects.values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0004_public_filing"),
    ]

    operations = [
        migrations.AddField(
            model_name="identitydocument",
            name="key",
            field=models.UUIDField(editable=False, null=True, verbose_name="参照キー"),
        ),
        migrations.AddField(
            model_name="letter",
            name="key",
            field=models.UUIDField(editable=False, null=True, verbose_name="参照キー"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="identitydocument",
            name="key",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="参照キー"
            ),
        ),
        migrations.AlterField(
            model_name="letter",
            name="key",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="参照キー"
            ),
        ),
    ]
