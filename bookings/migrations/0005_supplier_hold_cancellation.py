from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0004_guests_and_sent_emails"),
    ]

    operations = [
        migrations.AlterField(
            model_name="supplierhold",
            name="status",
            field=models.CharField(
                choices=[
                    ("held", "Held (not sent yet)"),
                    ("pending", "Sent, supplier pending"),
                    ("confirmed", "Confirmed by the supplier"),
                    ("refused", "Refused by the supplier"),
                    ("released", "Released"),
                    ("cancelling", "Cancellation pending at the supplier"),
                    ("cancelled", "Cancelled by the supplier"),
                ],
                default="held",
                max_length=10,
            ),
        ),
    ]
