from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="member", name="legacy_id")],
            database_operations=[],
        ),
    ]
