"""`manage.py open_disposal_run`: count what the retention schedule says fell due and open a
disposal run (作成済み) for the privacy officer; erases nothing. The worker runs it daily."""

from django.core.management.base import BaseCommand

from core import deadlines
from retention.disposal import open_run


class Command(BaseCommand):
    help = "Open a disposal run of the records past their retention period (counts only)."

    def handle(self, *args, **options):
        run = open_run(today=deadlines.today())
        self.stdout.write(f"opened disposal run {run.pk}" if run else "no disposal run opened")
