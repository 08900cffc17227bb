"""Rebuild the daily assessment roll-up from the cases."""

from django.core.management.base import BaseCommand

from casemodels.services.rollups import rebuild_rollups


class Command(BaseCommand):
    help = (
        "Empty the daily assessment roll-up and recompute every day from the cases "
        "(after an upgrade, a restore or a change to the figures' definitions)."
    )

    def handle(self, *args, **options):
        done = {"rows": 0}

        def progress(month, rows):
            done["rows"] += rows
            self.stdout.write(f"{month:%Y-%m}: {rows} rows ({done['rows']} so far)")

        run = rebuild_rollups(progress=progress)
        self.stdout.write(
            f"Rebuilt: {run.rows} rows over {run.days} days, figures as of {run.as_of:%Y-%m-%d %H:%M:%S %Z}."
        )
