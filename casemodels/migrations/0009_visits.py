# Filled in by the work on issue 5 (warnings, supervision, roll-ups, return visits): one
# migration per topic, in this order, each holding only its own topic's operations.
# Return visits: attempts to reach the citizen for a visit (VisitAttempt).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casemodels", "0008_rollups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VisitAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("round", models.PositiveSmallIntegerField(verbose_name="round")),
                ("method", models.CharField(
                    choices=[("phone", "Phone"), ("sms", "SMS"), ("online", "Online"), ("on_site", "On site")],
                    max_length=10, verbose_name="method",
                )),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("attempted_at", models.DateTimeField(verbose_name="attempted at")),
                ("outcome", models.CharField(
                    blank=True,
                    choices=[("close", "Close the case (counted as not visited)"),
                             ("review", "Send it to the unsatisfied ledger for review")],
                    help_text="Set on the attempt after which the citizen counted as unreachable.",
                    max_length=10, verbose_name="outcome",
                )),
                ("attempted_by", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                    to=settings.AUTH_USER_MODEL,
                )),
                ("case", models.ForeignKey(
                    on_delete=django.db.models.deletion.CASCADE, related_name="visit_attempts",
                    to="casemodels.case",
                )),
            ],
            options={
                "verbose_name": "return-visit attempt",
                "verbose_name_plural": "return-visit attempts",
                "ordering": ["attempted_at", "id"],
                "indexes": [models.Index(fields=["case", "round"], name="visit_attempt_case_round")],
            },
        ),
    ]
