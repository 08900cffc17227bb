# Filled in by the work on issue 5 (warnings, supervision, roll-ups, return visits): one
# migration per topic, in this order, each holding only its own topic's operations.
# Supervision notes (提示单 / 督办单), their cases and their yearly number counters.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("casemodels", "0006_alerts")]

    operations = [
        migrations.CreateModel(
            name="SupervisionNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.CharField(editable=False, max_length=40, unique=True, verbose_name="note number")),
                ("kind", models.CharField(choices=[("reminder", "Reminder note"), ("supervision", "Supervision note")], max_length=20, verbose_name="kind")),
                ("year", models.PositiveSmallIntegerField(editable=False, verbose_name="year")),
                ("sequence", models.PositiveIntegerField(editable=False, verbose_name="number in the year")),
                ("reason", models.TextField(verbose_name="reason and requirements")),
                ("issued_at", models.DateTimeField(verbose_name="issued at")),
                ("answer_due", models.DateTimeField(verbose_name="answer due")),
                ("state", models.CharField(choices=[("issued", "Issued, awaiting the answer"), ("answered", "Answered"), ("closed", "Closed")], default="issued", max_length=10, verbose_name="state")),
                ("answer", models.TextField(blank=True, verbose_name="answer")),
                ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="answered at")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                ("close_comment", models.TextField(blank=True, verbose_name="closing comment")),
                ("source", models.CharField(choices=[("manual", "Issued by hand"), ("overdue", "Issued for the unit's overdue cases"), ("warning", "Raised by a warning rule")], default="manual", max_length=10, verbose_name="source")),
                ("source_key", models.CharField(blank=True, editable=False, max_length=100, null=True, unique=True, verbose_name="source key")),
                ("answered_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="answered by")),
                ("closed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="closed by")),
                ("issued_by", models.ForeignKey(blank=True, help_text="Empty for notes raised by the warning sweep.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="issued by")),
                ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="supervision_notes", to="snippets.unit", verbose_name="addressed to")),
            ],
            options={
                "verbose_name": "supervision note",
                "verbose_name_plural": "supervision notes",
                "ordering": ["-issued_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="SupervisionNoteCase",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("warning_key", models.CharField(blank=True, max_length=60, verbose_name="warning")),
                ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="note_cases", to="casemodels.case")),
                ("note", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="note_cases", to="casemodels.supervisionnote")),
            ],
            options={
                "verbose_name": "case of a supervision note",
                "verbose_name_plural": "cases of supervision notes",
            },
        ),
        migrations.AddField(
            model_name="supervisionnote",
            name="cases",
            field=models.ManyToManyField(related_name="supervision_notes", through="casemodels.SupervisionNoteCase", to="casemodels.case", verbose_name="cases"),
        ),
        migrations.CreateModel(
            name="SupervisionNoteCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("reminder", "Reminder note"), ("supervision", "Supervision note")], max_length=20)),
                ("year", models.PositiveSmallIntegerField()),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "year"), name="unique_note_counter")],
            },
        ),
        migrations.AddConstraint(
            model_name="supervisionnotecase",
            constraint=models.UniqueConstraint(fields=("note", "case"), name="unique_case_per_note"),
        ),
        migrations.AddConstraint(
            model_name="supervisionnotecase",
            constraint=models.UniqueConstraint(condition=models.Q(("warning_key", ""), _negated=True), fields=("warning_key",), name="unique_note_warning_key"),
        ),
        migrations.AddIndex(
            model_name="supervisionnote",
            index=models.Index(fields=["unit", "state", "answer_due"], name="note_unit_state_due"),
        ),
        migrations.AddConstraint(
            model_name="supervisionnote",
            constraint=models.UniqueConstraint(fields=("kind", "year", "sequence"), name="unique_note_sequence"),
        ),
    ]
