from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "ALTER TABLE members_member ADD COLUMN api_key uuid DEFAULT gen_random_uuid()",
            "ALTER TABLE members_member DROP COLUMN api_key",
        ),
    ]
