"""Seed the work calendar from the chinesecalendar package (idempotent)."""

import argparse

from django.core.management.base import BaseCommand

from snippets.services.calendar import package_years, seed_from_chinesecalendar


class Command(BaseCommand):
    help = "Create calendar years, public holidays and make-up workdays from the chinesecalendar package."

    def add_arguments(self, parser):
        # SUPPRESS: with no years given the option is absent (None), not an empty list.
        parser.add_argument(
            "years", nargs="*", type=int, default=argparse.SUPPRESS,
            help="Only these years (default: all the package covers).",
        )

    def handle(self, *args, years=None, **options):
        covered = package_years()
        wanted = covered if years is None else list(years)
        unknown = sorted(set(wanted) - set(covered))
        if unknown:
            self.stderr.write(self.style.WARNING(
                f"The chinesecalendar package has no data for {unknown}: enter those years by hand in the admin."
            ))
        new_years, new_days = seed_from_chinesecalendar(years)  # None: every year covered
        self.stdout.write(
            f"Calendar: {new_years} years and {new_days} days added (package covers {covered[0]}–{covered[-1]})."
        )
