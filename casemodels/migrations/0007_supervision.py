# Filled in by the work on issue 5 (warnings, supervision, roll-ups, return visits): one
# migration per topic, in this order, each holding only its own topic's operations.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casemodels", "0006_alerts")]

    operations = []
