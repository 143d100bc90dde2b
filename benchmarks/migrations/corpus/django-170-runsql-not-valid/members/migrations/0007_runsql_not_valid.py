from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_previous")]

    operations = [
        migrations.RunSQL("SET lock_timeout = '2s'", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "ALTER TABLE members_payment ADD CONSTRAINT payment_member_fk "
            "FOREIGN KEY (member_id) REFERENCES members_member (id) NOT VALID",
            "ALTER TABLE members_payment DROP CONSTRAINT payment_member_fk",
        ),
    ]
