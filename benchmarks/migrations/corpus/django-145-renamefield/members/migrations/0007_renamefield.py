from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.RenameField(model_name="member", old_name="name", new_name="full_name"),
    ]
