# Filled in by the work on issue 5 (warnings, supervision, roll-ups, return visits): one
# migration per topic, in this order, each holding only its own topic's operations.
# Roll-ups: assessment exclusions (核减), the units' daily figures and the roll-up's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casemodels", "0007_supervision"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name='RollupState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('current_as_of', models.DateTimeField(blank=True, null=True, verbose_name='current as of')),
                ('last_kind', models.CharField(blank=True, max_length=10, verbose_name='last run')),
                ('last_since', models.DateTimeField(blank=True, null=True, verbose_name='changes since')),
                ('last_started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('last_finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('last_days', models.PositiveIntegerField(default=0, verbose_name='days recomputed')),
                ('last_rows', models.PositiveIntegerField(default=0, verbose_name='rows written')),
            ],
            options={
                'verbose_name': 'roll-up state',
                'verbose_name_plural': 'roll-up state',
            },
        ),
        migrations.CreateModel(
            name='AssessmentExclusion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.TextField(verbose_name='reason')),
                ('excluded_at', models.DateTimeField(verbose_name='excluded at')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='assessment_exclusion', to='casemodels.case', verbose_name='case')),
                ('excluded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='excluded by')),
            ],
            options={
                'verbose_name': 'assessment exclusion',
                'verbose_name_plural': 'assessment exclusions',
                'ordering': ['-excluded_at'],
            },
        ),
        migrations.CreateModel(
            name='UnitDayFigures',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day of dispatch')),
                ('dispatched', models.PositiveIntegerField(default=0, verbose_name='dispatched')),
                ('signed_on_time', models.PositiveIntegerField(default=0, verbose_name='signed for on time')),
                ('replied', models.PositiveIntegerField(default=0, verbose_name='replied')),
                ('replied_on_time', models.PositiveIntegerField(default=0, verbose_name='replied on time')),
                ('visited', models.PositiveIntegerField(default=0, verbose_name='visited')),
                ('satisfied', models.PositiveIntegerField(default=0, verbose_name='satisfied')),
                ('basically_satisfied', models.PositiveIntegerField(default=0, verbose_name='basically satisfied')),
                ('unsatisfied', models.PositiveIntegerField(default=0, verbose_name='unsatisfied')),
                ('resolved', models.PositiveIntegerField(default=0, verbose_name='resolved')),
                ('returned', models.PositiveIntegerField(default=0, verbose_name='returned')),
                ('extended', models.PositiveIntegerField(default=0, verbose_name='extended')),
                ('overdue', models.PositiveIntegerField(default=0, verbose_name='overdue')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='snippets.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': "unit's figures of a day",
                'verbose_name_plural': "units' figures by day",
                'ordering': ['day', 'unit'],
            },
        ),
        migrations.AddConstraint(
            model_name='unitdayfigures',
            constraint=models.UniqueConstraint(fields=('day', 'unit'), name='unit_day_figures_once'),
        ),
    ]
