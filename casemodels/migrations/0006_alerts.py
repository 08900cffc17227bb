# Filled in by the work on issue 5 (warnings, supervision, roll-ups, return visits): one
# migration per topic, in this order, each holding only its own topic's operations.
#
# Warnings and the notification outbox (casemodels.models.alerts), and five
# indexes for the sweep on tables of other models, created in SQL (0010 records
# them in the models' state):
# - cases by state and receipt, covering the caller and the matter (directory
#   item, region): the repeat rules group a window's orders from the index
#   alone (it extends the model's own (state, received_at) index);
# - cases by state and reply deadline, covering the clock (paused, round,
#   receipt): the near-due share is computed from the index alone (it
#   extends the model's own case_state_reply_due);
# - cases by state and policy: the progress rule's policies with an interval;
# - the cases in the unsatisfied ledger (partial: few rows);
# - assignments by state and sign-for deadline: the unsigned ones past it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("case_state_received_matter", "casemodels_case",
     "(state, received_at, citizen_phone, directory_item_id, region_id)"),
    ("case_state_reply_due_clock", "casemodels_case", '(state, reply_due, paused_since, "round", received_at)'),
    ("case_state_policy", "casemodels_case", "(state, policy_id)"),
    ("case_unsatisfied_open", "casemodels_case", "(state) WHERE is_unsatisfied"),
    ("assignment_state_sign_due", "casemodels_assignment", "(state, sign_due)"),
]


class Migration(migrations.Migration):
    dependencies = [("casemodels", "0005_operation_events")]

    operations = [
        migrations.CreateModel(
            name='Warning',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('yellow', 'Yellow'), ('red', 'Red')], max_length=10, verbose_name='level')),
                ('occurrence', models.PositiveIntegerField(default=0, help_text='The round for deadline and unsatisfied rules, the number of progress posts for the progress rule, 0 otherwise.', verbose_name='occurrence')),
                ('raised_at', models.DateTimeField(verbose_name='raised at')),
                ('batch', models.CharField(editable=False, help_text='Marks the warnings raised together by one rule in one sweep.', max_length=32, verbose_name='sweep batch')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='warnings', to='casemodels.case', verbose_name='case')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='snippets.warningrule', verbose_name='rule')),
                ('unit', models.ForeignKey(blank=True, help_text='The unit holding the case when the warning was raised (the first-receiving unit when no unit holds it).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='snippets.unit', verbose_name='unit told')),
            ],
            options={
                'verbose_name': 'warning',
                'verbose_name_plural': 'warnings',
                'ordering': ['-raised_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('in_app', 'In the admin'), ('email', 'E-mail'), ('sms', 'SMS')], max_length=10, verbose_name='channel')),
                ('address', models.CharField(blank=True, help_text='The phone number or e-mail address used.', max_length=254, verbose_name='address')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(verbose_name='next attempt at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(verbose_name='created at')),
                ('staff', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='snippets.staffprofile', verbose_name='staff member')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='snippets.unit', verbose_name='unit')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user account')),
                ('warning', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='casemodels.warning', verbose_name='warning')),
            ],
            options={
                'verbose_name': 'notification',
                'verbose_name_plural': 'notifications',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='warning',
            index=models.Index(fields=['batch'], name='warning_batch'),
        ),
        migrations.AddIndex(
            model_name='warning',
            index=models.Index(fields=['raised_at'], name='warning_raised_at'),
        ),
        migrations.AddConstraint(
            model_name='warning',
            constraint=models.UniqueConstraint(fields=('case', 'rule', 'level', 'occurrence'), name='unique_warning_per_case_rule_level'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['status', 'next_attempt_at'], name='notification_due'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(condition=models.Q(('staff__isnull', False)), fields=('warning', 'staff', 'channel'), name='unique_notification_per_staff'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.UniqueConstraint(condition=models.Q(('staff__isnull', True)), fields=('warning', 'unit', 'channel'), name='unique_notification_per_unit'),
        ),
        *(
            migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns}",
                              reverse_sql=f"DROP INDEX IF EXISTS {name}")
            for name, table, columns in INDEXES
        ),
    ]
