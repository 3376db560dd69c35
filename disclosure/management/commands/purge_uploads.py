"""`manage.py purge_uploads`: delete the identity documents that were uploaded on the
public request form but never confirmed, and the files a rolled-back transaction left with no
row (`disclosure.orphans`). Run it every quarter of an hour: an upload is then gone within
the hour (`disclosure.services.UPLOADS_MAX_AGE`)."""

from django.core.management.base import BaseCommand

from disclosure import orphans
from disclosure.services import documents_purge


class Command(BaseCommand):
    help = (
        "Delete unconfirmed uploads of the public request form, past their wait, and files "
        "no row holds (audited)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"purged {documents_purge()} unconfirmed upload(s)")
        self.stdout.write(f"purged {orphans.purge()} file(s) no row holds")
