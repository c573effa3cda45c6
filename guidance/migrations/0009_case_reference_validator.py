"""A case reference is checked for patient identifiers by the model too (no change to the table)."""

from django.db import migrations, models

import guidance.identifiers


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0008_discarded_drafts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='reference',
            field=models.CharField(blank=True, help_text='Optional, e.g. an MDT list number. Never a name or other patient identifier.', max_length=40, validators=[guidance.identifiers.validate_reference]),
        ),
    ]
