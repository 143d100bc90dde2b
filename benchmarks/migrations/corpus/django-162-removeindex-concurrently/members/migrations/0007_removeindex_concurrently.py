from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("members", "0006_previous")]

    operations = [
        RemoveIndexConcurrently(model_name="member", name="member_old_idx"),
    ]
