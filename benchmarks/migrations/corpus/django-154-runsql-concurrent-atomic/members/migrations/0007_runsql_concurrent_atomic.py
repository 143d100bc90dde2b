from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY member_last_login_idx ON members_member (last_login)",
            "DROP INDEX CONCURRENTLY member_last_login_idx",
        ),
    ]
