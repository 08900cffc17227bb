"""Write the live GraphQL schema to graphql/schema.graphql (or check it)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SCHEMA_FILE = Path(settings.BASE_DIR) / "graphql" / "schema.graphql"


def schema_sdl():
    from django.utils import translation

    from api.schema import schema

    # Descriptions come from translatable help texts: the contract is in English.
    with translation.override("en"):
        return str(schema).strip() + "\n"


class Command(BaseCommand):
    help = "Write the GraphQL schema (SDL) to graphql/schema.graphql; --check fails if it is out of date."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only check that the committed file is current.")

    def handle(self, *args, check=False, **options):
        sdl = schema_sdl()
        if check:
            current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
            if current != sdl:
                raise CommandError(f"{SCHEMA_FILE} is out of date: run `manage.py export_schema`.")
            self.stdout.write("GraphQL schema is up to date.")
            return
        SCHEMA_FILE.write_text(sdl, encoding="utf-8")
        self.stdout.write(f"Wrote {SCHEMA_FILE}")
