from django.core.management.base import BaseCommand, CommandError

from questions.bank import BankImportError, load_shipped_bank


class Command(BaseCommand):
    help = "Load the shipped taxonomy and question bank (idempotent: updates, never duplicates)."

    def handle(self, *args, **options):
        try:
            report = load_shipped_bank()
        except BankImportError as error:
            raise CommandError("\n".join([error.detail, *error.errors])) from None
        self.stdout.write(self.style.SUCCESS(f"Question bank loaded: {report}."))
