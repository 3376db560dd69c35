"""Enrol a staff member's authenticator app: a new confirmed TOTP device, printed once.

For the demo accounts and for a first sign-in; it replaces the user's TOTP devices, so a
lost phone is handled by enrolling again. Prints the secret, the otpauth URI and a QR code.
"""

import base64
import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.trail import SYSTEM, Actor, append


class Command(BaseCommand):
    help = "Give a staff member a new TOTP device and print its secret and QR code."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            user = get_user_model().objects.get(username=username, is_staff=True)
        except get_user_model().DoesNotExist as missing:
            raise CommandError(f"no staff user {username!r}") from missing
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            append(action="safeguards.otp.enrolled", actor=Actor(SYSTEM), target=user)
        secret = base64.b32encode(device.bin_key).decode()
        qr = qrcode.QRCode(border=1)
        qr.add_data(device.config_url)
        art = io.StringIO()
        qr.print_ascii(out=art)
        self.stdout.write(f"{username}\nsecret: {secret}\nuri: {device.config_url}\n")
        self.stdout.write(art.getvalue())
