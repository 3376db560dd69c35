# The contact fields come from core.filing.PublicFiling (issue 12): `postal_address` is renamed
# `address`, as on a request; the stored values stay (a column rename), the same length (300).
# The constraint that names it is dropped and made again around the rename.

from django.db import migrations, models

REACHABLE = "complaints_complaint_reachable_unless_anonymous"


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0005_created_stamp_from_core"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="complaint", name=REACHABLE),
        migrations.RenameField(
            model_name="complaint", old_name="postal_address", new_name="address"
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(anonymous=True)
                | ~models.Q(identity_digest="")
                | (
                    ~models.Q(name="")
                    & (~models.Q(email="") | ~models.Q(phone="") | ~models.Q(address=""))
                ),
                name=REACHABLE,
            ),
        ),
    ]
