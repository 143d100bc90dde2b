from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0005_earlier")]

    operations = [
        migrations.CreateModel(
            name="member",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("email", models.EmailField(max_length=254)),
            ],
        ),
    ]
