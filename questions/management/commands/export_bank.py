from django.core.management.base import BaseCommand

from questions import bank
from questions.models import Question


class Command(BaseCommand):
    help = "Export the question bank as JSON or CSV (to stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv", "yaml"], default="json")
        parser.add_argument(
            "--status", choices=Question.Status.values, help="only questions with this status"
        )
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")

    def handle(self, *args, format, status=None, output=None, **options):
        queryset = Question.objects.all()
        if status:
            queryset = queryset.filter(status=status)
        text = bank.export(queryset, format)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            self.stderr.write(f"Wrote {queryset.count()} questions to {output}.")
        else:
            self.stdout.write(text, ending="")
