from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions import bank
from questions.models import Question


class Command(BaseCommand):
    help = (
        "Import questions from a JSON, CSV or YAML file; "
        "all rows are checked and nothing is written if any is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", choices=bank.FORMATS, help="default: from the file's extension")
        parser.add_argument(
            "--status",
            choices=Question.Status.values,
            default=Question.Status.DRAFT,
            help="status for rows that name none (default: draft)",
        )

    def handle(self, *args, path, format=None, status, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = bank.parse(
                file.read_text(encoding="utf-8-sig"), format or bank.format_for(path), source=file.name
            )
            report = bank.import_rows(rows, user=None, default_status=status)
        except bank.BankImportError as error:
            raise CommandError("\n".join([error.detail, *error.errors])) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {report}."))
