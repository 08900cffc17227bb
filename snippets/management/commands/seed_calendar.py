"""Seed the work calendar from the chinesecalendar package (idempotent)."""

from django.core.management.base import BaseCommand

from snippets.services.calendar import package_years, seed_from_chinesecalendar


class Command(BaseCommand):
    help = "Create calendar years, public holidays and make-up workdays from the chinesecalendar package."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="Only these years (default: all the package covers).")

    def handle(self, *args, years=None, **options):
        covered = package_years()
        wanted = years if years else covered
        unknown = sorted(set(wanted) - set(covered))
        if unknown:
            self.stderr.write(self.style.WARNING(
                f"The chinesecalendar package has no data for {unknown}: enter those years by hand in the admin."
            ))
        new_years, new_days = seed_from_chinesecalendar([y for y in wanted if y in covered])
        self.stdout.write(
            f"Calendar: {new_years} years and {new_days} days added (package covers {covered[0]}–{covered[-1]})."
        )
