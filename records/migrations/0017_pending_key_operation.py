"""The pending re-key becomes a pending key operation: a re-key, or the destruction of the key
of a member erased whole (`records.rekeying`). Its member is an id rather than a key to the
member, who is gone before their key is. The rows pending keep their column and become
re-keys."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0016_pending_rekey"),
    ]

    operations = [
        # The same column, `member_id`, without its foreign key: first under the old field's
        # name, then renamed, then without the column named (the same one), so no row moves.
        migrations.AlterField(
            model_name="pendingrekey",
            name="member",
            field=models.BigIntegerField(
                db_column="member_id",
                primary_key=True,
                serialize=False,
                verbose_name="加入者ID",
            ),
        ),
        migrations.RenameField(
            model_name="pendingrekey", old_name="member", new_name="member_id"
        ),
        migrations.AlterField(
            model_name="pendingrekey",
            name="member_id",
            field=models.BigIntegerField(primary_key=True, serialize=False, verbose_name="加入者ID"),
        ),
        migrations.RenameModel(old_name="PendingRekey", new_name="PendingKeyOperation"),
        migrations.AddField(
            model_name="pendingkeyoperation",
            name="kind",
            field=models.CharField(
                choices=[("rekey", "取替え"), ("destroy", "破棄")],
                default="rekey",
                max_length=7,
                verbose_name="処理",
            ),
        ),
        migrations.AlterModelOptions(
            name="pendingkeyoperation",
            options={
                "default_permissions": (),
                "verbose_name": "保留中のデータ鍵の処理",
                "verbose_name_plural": "保留中のデータ鍵の処理",
            },
        ),
    ]
