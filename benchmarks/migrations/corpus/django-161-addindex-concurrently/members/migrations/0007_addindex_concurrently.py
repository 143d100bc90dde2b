from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("members", "0006_previous")]

    operations = [
        AddIndexConcurrently(
            model_name="member",
            index=models.Index(fields=["last_login"], name="member_last_login_idx"),
        ),
    ]
