from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["email"], name="member_email_idx"),
        ),
    ]
