from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        AddIndexConcurrently(
            model_name="member",
            index=models.Index(fields=["joined_at"], name="member_joined_idx"),
        ),
    ]
