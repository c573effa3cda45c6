"""A record of each deleted case: which one, who deleted it and when, never its contents."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0009_case_reference_validator'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseDeletion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_id', models.PositiveBigIntegerField(help_text="The deleted case's id.")),
                ('deleted_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('clinician', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_deletions', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-deleted_at', '-id'],
            },
        ),
    ]
