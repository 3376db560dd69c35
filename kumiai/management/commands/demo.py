"""Prepare the demo: the society's register, one staff account per role, demo members.

Safe to run again: what exists is left alone. A new account's password and two-factor
secret are printed once, when it is made; `--reset-passwords` prints new ones.
"""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.trail import SYSTEM
from kumiai.demo import populate
from purposes.loader import load_register
from purposes.models import Category
from safeguards.models import Desk, TrainingCourse, TrainingSession
from safeguards.otp import enrol_totp
from safeguards.roles import Role
from safeguards.scopes import grant_scope
from safeguards.training import record_attendance, sign_pledge


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    scope: tuple[str, ...] = ()  # category codes the handler is assigned
    desks: tuple[str, ...] = ()  # the desks whose filings the handler reads (Desk.Code)


ACCOUNTS = (
    DemoAccount("officer", Role.PRIVACY_OFFICER),  # both desks, through the role
    DemoAccount(
        "handler",
        Role.HANDLER,
        scope=("health-checks", "health-guidance", "receipts"),
        desks=(Desk.Code.REQUESTS, Desk.Code.COMPLAINTS),
    ),
    DemoAccount("auditor", Role.AUDITOR),
    DemoAccount("sysadmin", Role.SYSTEM_ADMINISTRATOR),
)


class Command(BaseCommand):
    help = "Load the register, the demo staff accounts and the demo members (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300)
        parser.add_argument(
            "--address",
            default="127.0.0.1:8000",
            help="HOST:PORT (or PORT) the server will listen on, for the addresses printed",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="give every demo account a new password and two-factor secret, and print them",
        )

    def handle(self, *args, members: int, address: str, reset_passwords: bool, **options):
        load_register()
        printed = []
        with transaction.atomic():
            officer = None
            for account in ACCOUNTS:
                user, created = User.objects.get_or_create(
                    username=account.username, defaults={"is_staff": True}
                )
                if created:
                    user.groups.add(Group.objects.get(name=account.role))
                    self._prepare(user, account, officer=officer)
                # Every run: a demo made before the desks were scopes gets them too.
                for code in account.desks:
                    grant_scope(user=user, desk=Desk.of(code), by=officer)
                if created or reset_passwords:
                    printed.append(self._credentials(user, account))
                if account.role == Role.PRIVACY_OFFICER:
                    officer = user
        result = populate(members=members)
        if result.members:
            self.stdout.write(f"Demo data: {result.members} members, {result.records} records.")
        else:
            self.stdout.write("Demo data: members exist already.")
        if printed:
            self.stdout.write(
                "\nDemo accounts (shown once; add each secret to an authenticator app, or "
                "`oathtool --totp -b SECRET` prints the current code):\n"
            )
            for line in printed:
                self.stdout.write(line)
        else:
            self.stdout.write(
                "\nDemo accounts exist already (officer, handler, auditor, sysadmin); "
                "`manage.py demo --reset-passwords` prints new passwords and secrets."
            )
        # runserver takes a port alone too, and then listens on 127.0.0.1.
        host, _, port = address.rpartition(":")
        site = f"http://{host or '127.0.0.1'}:{port}"
        self.stdout.write(
            f"\nStaff sign-in: {site}{reverse('safeguards:sign_in')}   "
            f"Public notice: {site}{reverse('purposes:notice')}\n"
        )

    def _prepare(self, user: User, account: DemoAccount, *, officer: User | None) -> None:
        """Everything a new staff member of that role needs before handling data."""
        today = timezone.localdate()
        sign_pledge(user=user, version="2026-04", signed_on=today, by=officer or user)
        course, _ = TrainingCourse.objects.get_or_create(title="個人情報保護研修（年次）")
        session, _ = TrainingSession.objects.get_or_create(course=course, held_on=today)
        record_attendance(session=session, user=user, score=90, by=officer or user)
        for code in account.scope:
            grant_scope(user=user, category=Category.objects.get(code=code), by=officer)

    def _credentials(self, user: User, account: DemoAccount) -> str:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        enrolment = enrol_totp(user=user, by=SYSTEM)
        return (
            f"  {account.role.label:<12} user: {user.username:<9} password: {password}  "
            f"TOTP secret: {enrolment.secret}"
        )
