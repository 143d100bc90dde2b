from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="member",
            constraint=models.UniqueConstraint(fields=["email"], name="member_email_uniq"),
        ),
    ]
