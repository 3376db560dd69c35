"""Bring the reports' daily summaries up to date with the audit trail.

    manage.py summarise_access            # fold in the events since the last run
    manage.py summarise_access --rebuild  # start again from the first event

Run it from cron (every few minutes is plenty: the pages count the events since the last
run from the trail itself). After changing office hours (REPORTS_OFFICE_OPENS/CLOSES) or
the large-read threshold, or upgrading jpholiday, it rebuilds by itself; `--rebuild` forces
it. Until then the pages stay exact, counting from the trail, only slower.
"""

from django.core.management.base import BaseCommand

from reports.summary import summarise


class Command(BaseCommand):
    help = "Fold the audit events since the last run into the reports' daily summaries."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="start from the first event")

    def handle(self, *args, rebuild: bool, **options):
        folded = summarise(rebuild=rebuild)
        how = "rebuilt" if folded.rebuilt else "folded"
        self.stdout.write(
            f"{how} {folded.events} events; summarised through seq {folded.through_seq}"
        )
