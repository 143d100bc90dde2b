from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS member_plan_idx ON members_member (plan)",
            "DROP INDEX CONCURRENTLY IF EXISTS member_plan_idx",
        ),
    ]
