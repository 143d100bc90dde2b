from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="nickname",
            field=models.CharField(max_length=50, null=True, blank=True),
        ),
    ]
