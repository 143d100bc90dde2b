from django.db import migrations, models


def backfill_tier(apps, schema_editor):
    apps.get_model("members", "Member").objects.update(tier="basic")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.AddField(
            model_name="member",
            name="tier",
            field=models.CharField(max_length=10, null=True),
        ),
        migrations.RunPython(backfill_tier, migrations.RunPython.noop),
    ]
