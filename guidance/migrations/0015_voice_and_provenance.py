"""Whose words each section and warning text is (the source's, quoted, or a NET Advisor
note with its citation), the source heading a quote stands under, and what a version says
of its source: its title, what the source is and what it does not cover.

Every text that exists, version 1's included, is the source's words: the defaults make
each one ``guideline`` with no citation of its own and no source heading, and leave every
version's title (the guideline's), description of the source and what it does not cover
empty. Defaults in the database too, so that a data migration written against an earlier
state can still add rows and their history.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0014_logic_approval'),
    ]

    operations = [
        migrations.AddField(
            model_name='guidelineversion',
            name='about_source',
            field=models.TextField(blank=True, db_default='', default='', help_text='Markdown: what the source is, shown wherever the source is named.'),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='not_covered',
            field=models.TextField(blank=True, db_default='', default='', help_text='Markdown: what the source does not cover, shown after the warnings.'),
        ),
        migrations.AddField(
            model_name='guidelineversion',
            name='title',
            field=models.CharField(blank=True, db_default='', default='', help_text="The guideline's title as this version gives it; empty: the guideline's title.", max_length=200),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='about_source',
            field=models.TextField(blank=True, db_default='', default='', help_text='Markdown: what the source is, shown wherever the source is named.'),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='not_covered',
            field=models.TextField(blank=True, db_default='', default='', help_text='Markdown: what the source does not cover, shown after the warnings.'),
        ),
        migrations.AddField(
            model_name='historicalguidelineversion',
            name='title',
            field=models.CharField(blank=True, db_default='', default='', help_text="The guideline's title as this version gives it; empty: the guideline's title.", max_length=200),
        ),
        migrations.AddField(
            model_name='historicalsection',
            name='citation',
            field=models.TextField(blank=True, db_default='', default='', help_text='For a note: the publication it rests on, with its DOI where it has one.'),
        ),
        migrations.AddField(
            model_name='historicalsection',
            name='source_heading',
            field=models.CharField(blank=True, db_default='', default='', help_text="The source's own heading the quoted text stands under, e.g. “Other Grade 1-2 GEP-NETs”; empty when the heading above is NET Advisor's.", max_length=200),
        ),
        migrations.AddField(
            model_name='historicalsection',
            name='voice',
            field=models.CharField(choices=[('guideline', 'Source guideline, quoted verbatim'), ('note', 'NET Advisor note')], db_default='guideline', default='guideline', max_length=10),
        ),
        migrations.AddField(
            model_name='historicalwarningtext',
            name='citation',
            field=models.TextField(blank=True, db_default='', default='', help_text='For a note: the publication it rests on, with its DOI where it has one.'),
        ),
        migrations.AddField(
            model_name='historicalwarningtext',
            name='voice',
            field=models.CharField(choices=[('guideline', 'Source guideline, quoted verbatim'), ('note', 'NET Advisor note')], db_default='guideline', default='guideline', max_length=10),
        ),
        migrations.AddField(
            model_name='section',
            name='citation',
            field=models.TextField(blank=True, db_default='', default='', help_text='For a note: the publication it rests on, with its DOI where it has one.'),
        ),
        migrations.AddField(
            model_name='section',
            name='source_heading',
            field=models.CharField(blank=True, db_default='', default='', help_text="The source's own heading the quoted text stands under, e.g. “Other Grade 1-2 GEP-NETs”; empty when the heading above is NET Advisor's.", max_length=200),
        ),
        migrations.AddField(
            model_name='section',
            name='voice',
            field=models.CharField(choices=[('guideline', 'Source guideline, quoted verbatim'), ('note', 'NET Advisor note')], db_default='guideline', default='guideline', max_length=10),
        ),
        migrations.AddField(
            model_name='warningtext',
            name='citation',
            field=models.TextField(blank=True, db_default='', default='', help_text='For a note: the publication it rests on, with its DOI where it has one.'),
        ),
        migrations.AddField(
            model_name='warningtext',
            name='voice',
            field=models.CharField(choices=[('guideline', 'Source guideline, quoted verbatim'), ('note', 'NET Advisor note')], db_default='guideline', default='guideline', max_length=10),
        ),
    ]
