# A request's address is the public filing's (core.filing, issue 12): 300 characters, as a
# complaint's always was; the public form still asks for at most 200. Stored values are kept.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0011_correction_add_delete"),
    ]

    operations = [
        migrations.AlterField(
            model_name="request",
            name="address",
            field=models.CharField(max_length=300, verbose_name="住所"),
        ),
    ]
