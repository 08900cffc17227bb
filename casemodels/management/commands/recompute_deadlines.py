"""Re-apply time-limit policies and the work calendar to open cases."""

from django.core.management.base import BaseCommand

from casemodels.services.deadlines import recompute_open_cases


class Command(BaseCommand):
    help = "Recompute the deadlines of every open case from its event history."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rematch", action="store_true", help="Match each case against the policies again (after a policy change).",
        )

    def handle(self, *args, rematch=False, **options):
        examined, changed = recompute_open_cases(rematch=rematch)
        self.stdout.write(f"{examined} open cases examined, {changed} changed.")
