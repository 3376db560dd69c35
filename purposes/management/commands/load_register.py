"""`manage.py load_register`: load the society's notice and publish revision 1, once."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from purposes.loader import DEFAULT_CODES, MissingCode, load_register
from purposes.models import NoticeRevision
from purposes.notice import DEFAULT_NOTICE, NoticeFormatError


class Command(BaseCommand):
    help = "Load the register from the notice file and publish it as revision 1 (once)."

    def add_arguments(self, parser):
        parser.add_argument("--notice", type=Path, default=DEFAULT_NOTICE)
        parser.add_argument("--codes", type=Path, default=DEFAULT_CODES)

    def handle(self, *args, notice: Path, codes: Path, **options):
        try:
            result = load_register(notice_path=notice, codes_path=codes)
        except (MissingCode, NoticeFormatError, OSError) as error:
            raise CommandError(str(error)) from error
        if result.revision is None:
            latest = NoticeRevision.objects.order_by("-number").first()
            number = latest.number if latest else None
            self.stdout.write(f"already published (revision {number}): nothing loaded")
            return
        counts = ", ".join(f"{name} {count}" for name, count in result.created.items())
        self.stdout.write(
            self.style.SUCCESS(f"loaded {counts}; published revision {result.revision.number}")
        )
