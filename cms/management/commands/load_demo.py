"""``manage.py load_demo``: load the demo profile, idempotently.

高平 complete (regions down to grids, units, staff with logins), the channels
and time-limit rules of all five seed centres, the dispatch directory, the
work calendar, the home page and generated cases in every state. Running it
again creates nothing: existing rows are found by their codes, names or
(for cases) their demo external ids, and left as they are."""

import logging
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from casemodels.models import OPEN_STATES, Assignment, Case, CaseEvent, ReturnVisit
from casemodels.services import recompute_open_cases
from cms.demo import bulletins
from cms.demo import cases as demo_cases
from cms.demo import deadline_recompute_paused, directory, knowledge, organisation, policies, site
from snippets.models import Channel, DirectoryItem, PolicyLimit, Region, StaffProfile, TimeLimitPolicy, Unit

RULE_MODELS = ("TimeLimitPolicy", "PolicyLimit", "CalendarYear", "CalendarDay")


class Command(BaseCommand):
    help = "Load the demo profile (高平 with the rules of 宁国, 珙县, 青岛市南 and 莱山). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=300, help="How many demo cases (default 300).")
        parser.add_argument("--quiet", action="store_true", help="Print only warnings and errors.")

    def handle(self, *args, cases: int, quiet: bool, **options):
        if cases < 0:
            raise CommandError("--cases must be 0 or more.")
        quiet = quiet or options["verbosity"] == 0
        if quiet:  # Wagtail logs each page action (the welcome page's removal, the home page's publication)
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        say = (lambda message: None) if quiet else self.stdout.write
        started = time.monotonic()
        stats = Counter()

        with deadline_recompute_paused(), transaction.atomic():
            loader = organisation.load(stats)
            policies.load_channels(stats)
            directory.load(stats)
            policies.load_policies(stats)
            policies.load_calendar(stats)
            knowledge.load(stats)
            site.load(stats)
        say(f"Configuration loaded in {time.monotonic() - started:.1f}s: "
            + ("、".join(f"{name} +{n}" for name, n in sorted(stats.items()) if n) or "nothing new"))
        if any(stats[m] for m in RULE_MODELS) and Case.objects.filter(state__in=OPEN_STATES).exists():
            examined, changed = recompute_open_cases(rematch=True)
            say(f"Rules changed under open cases: {examined} examined, {changed} recomputed.")

        step = time.monotonic()
        say(f"Cases 1..{cases}, a line every {demo_cases.BATCH}:")
        created, skipped, failures = demo_cases.load(cases, progress=say)
        say(f"Cases: {created} created, {skipped} already there ({time.monotonic() - step:.1f}s).")
        for index, path, step_name, error in failures:
            self.stderr.write(self.style.WARNING(f"  case {index} ({path}, step {step_name}): {error}"))

        step = time.monotonic()
        bulletin_stats = Counter()
        bulletins.load(bulletin_stats)
        say(f"Bulletins and typical cases ({time.monotonic() - step:.1f}s): "
            + ("、".join(f"{name} +{n}" for name, n in sorted(bulletin_stats.items()) if n) or "nothing new"))

        if not quiet:
            self.print_counts()
            self.print_accounts(loader.accounts())
        say(self.style.SUCCESS(f"Demo loaded in {time.monotonic() - started:.1f}s."))

    def print_counts(self):
        out = self.stdout.write
        rows = [
            ("Region", Region.objects.count()), ("Unit", Unit.objects.count()),
            ("StaffProfile", StaffProfile.objects.count()), ("User", get_user_model().objects.count()),
            ("Channel", Channel.objects.count()), ("DirectoryItem", DirectoryItem.objects.count()),
            ("TimeLimitPolicy", TimeLimitPolicy.objects.count()), ("PolicyLimit", PolicyLimit.objects.count()),
            ("Case", Case.objects.count()), ("CaseEvent", CaseEvent.objects.count()),
            ("Assignment", Assignment.objects.count()), ("ReturnVisit", ReturnVisit.objects.count()),
        ]
        out("Rows: " + ", ".join(f"{name} {n}" for name, n in rows))
        states = dict(Case.objects.values_list("state").annotate(n=Count("id")))
        out("Cases by state: " + ", ".join(f"{state} {states[state]}" for state in sorted(states)))

    def print_accounts(self, accounts):
        out = self.stdout.write
        out(f"Accounts (password {organisation.PASSWORD}; sign in at /admin/):")
        villages = [a for a in accounts if a.username.count("-") == 1]
        for a in accounts:
            if a not in villages:
                out(f"  {a.username:<18} {a.name:<6} {a.unit:<16} {a.roles}")
        if villages:
            out(f"  village (community) platforms, 承办人、话务员/派单员 — {len(villages)} accounts named after "
                "their unit code:")
            line = "   "
            for a in villages:
                entry = f" {a.username}（{a.unit}）"
                if len(line) + len(entry) > 100:
                    out(line)
                    line = "   "
                line += entry
            out(line)

