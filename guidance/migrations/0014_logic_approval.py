"""Who approved a draft's logic (a second editor), when, and the logic as approved."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0013_case_facts_for_impact'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='guidelineversion',
            name='logic_approved_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='logic_approved_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='approved_versions', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='logic_approved_digest',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='logic_approved_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='logic_approved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='logic_approved_digest',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=64),
        ),
    ]
