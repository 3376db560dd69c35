"""Enrol a staff member's authenticator app: a new confirmed TOTP device, printed once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from audit.trail import SYSTEM
from safeguards.otp import enrol_totp


class Command(BaseCommand):
    help = "Give a staff member a new TOTP device and print its secret and QR code."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user = get_user_model().objects.get(username=username, is_staff=True)
        except get_user_model().DoesNotExist as missing:
            raise CommandError(f"no staff user {username!r}") from missing
        enrolment = enrol_totp(user=user, by=SYSTEM)
        self.stdout.write(f"{username}\nsecret: {enrolment.secret}\nuri: {enrolment.uri}\n")
        self.stdout.write(enrolment.qr_ascii())
