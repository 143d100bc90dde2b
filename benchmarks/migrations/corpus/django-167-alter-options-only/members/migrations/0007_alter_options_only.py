from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.AlterModelOptions(name="member", options={"ordering": ["-joined_at"]}),
        migrations.AlterField(
            model_name="member",
            name="email",
            field=models.EmailField(max_length=254, help_text="Login address"),
        ),
    ]
