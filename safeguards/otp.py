"""Enrolment of a staff member's authenticator app (TOTP), the second factor of sign-in."""

import base64
import io
from dataclasses import dataclass

import qrcode
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.trail import By, actor_for, append
from audit.vocabulary import Action


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, as authenticator apps and `oathtool --totp -b` take it
    uri: str  # otpauth://, what the QR code carries

    def qr_ascii(self) -> str:
        qr = qrcode.QRCode(border=1)
        qr.add_data(self.uri)
        art = io.StringIO()
        qr.print_ascii(out=art)
        return art.getvalue()


def enrol_totp(*, user, by: By) -> Enrolment:
    """Replace the user's TOTP devices with one new confirmed device; a lost phone enrols anew.

    The secret is returned once, to be shown to the staff member, and is never logged.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        append(action=Action.SAFEGUARDS_OTP_ENROLLED, actor=actor_for(by), target=user)
    return Enrolment(secret=base64.b32encode(device.bin_key).decode(), uri=device.config_url)
