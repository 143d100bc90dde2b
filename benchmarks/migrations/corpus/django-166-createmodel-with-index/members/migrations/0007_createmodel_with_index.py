from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.CreateModel(
            name="LoginEvent",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField(auto_now_add=True)),
                ("ip", models.GenericIPAddressField()),
            ],
        ),
        migrations.AddIndex(
            model_name="loginevent",
            index=models.Index(fields=["at"], name="loginevent_at_idx"),
        ),
    ]
