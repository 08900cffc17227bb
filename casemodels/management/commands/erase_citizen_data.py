"""Erase the personal data of every case of one phone number, keeping the
cases and their figures (``casemodels.services.privacy_erasure``)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from casemodels.services import CaseActionError
from casemodels.services.privacy import count_citizen_cases
from casemodels.services.privacy_erasure import erase_citizen_data


class Command(BaseCommand):
    help = (
        "Anonymise every case of a citizen's phone number: name, phone, ID number and exact address cleared "
        "and masked in the cases' texts; states, times, units and figures kept. Acts as --user (an "
        "administrator); without --yes, only says how many cases would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--phone", required=True, help="The citizen's phone number.")
        parser.add_argument("--reason", required=True, help="Why (recorded on every case changed).")
        parser.add_argument("--user", required=True, help="Username of the administrator acting.")
        parser.add_argument("--yes", action="store_true", help="Erase (without it, a dry run).")

    def handle(self, *args, phone, reason, user, yes, **options):
        acting = get_user_model()._default_manager.filter(username=user).first()
        if acting is None:
            raise CommandError(f"No user named “{user}”.")
        try:
            if not yes:
                count = count_citizen_cases(acting, phone=phone)
                self.stdout.write(f"{count} cases would be changed; run again with --yes to erase.")
                return
            cases = erase_citizen_data(acting, phone=phone, reason=reason)
        except CaseActionError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Erased the personal data of {len(cases)} cases: {', '.join(c.number for c in cases)}.")
