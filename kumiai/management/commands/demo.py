"""Prepare the demo: the society's register, named staff of every role, demo members, and
their working day (`kumiai.demo_story`: requests and complaints in every state, incidents,
self-inspections, 監事 audits, trainings, mail, a signed checkpoint of the trail).

Safe to run again: what exists is left alone. A new account's password and two-factor
secret are printed once, when it is made; `--reset-passwords` prints new ones.
"""

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.trail import SYSTEM
from kumiai.demo import populate
from kumiai.demo_story import Staff, stage
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
    name: str  # 姓 名, as Japanese reads it (kept whole in last_name: Django's full name
    # puts first_name first)
    scope: tuple[str, ...] = ()  # category codes the handler is assigned
    desks: tuple[str, ...] = ()  # the desks whose filings the handler reads (Desk.Code)
    # Designated 個人番号事務取扱担当者 (番号法): a category flagged 個人番号を含む in `scope` is
    # granted only to someone designated (`safeguards.scopes.grant_scope`).
    my_number: bool = False


ACCOUNTS = (
    # Both desks through the role; no category: a request is answered on its own statutory
    # access (disclosure.access), whatever the officer's scope.
    DemoAccount("officer", Role.PRIVACY_OFFICER, "高橋 誠"),
    DemoAccount(
        "handler",
        Role.HANDLER,
        "佐藤 美咲",
        scope=("health-checks", "health-guidance", "receipts"),
        desks=(Desk.Code.REQUESTS, Desk.Code.COMPLAINTS),
    ),
    DemoAccount(
        "benefits",
        Role.HANDLER,
        "鈴木 大輔",
        scope=("eligibility", "insured-income", "cash-benefits", "bank-accounts"),
        desks=(Desk.Code.REQUESTS,),
        my_number=True,
    ),
    DemoAccount("desk", Role.HANDLER, "田中 由美", desks=(Desk.Code.COMPLAINTS,)),
    DemoAccount("auditor", Role.AUDITOR, "伊藤 正"),
    DemoAccount("sysadmin", Role.SYSTEM_ADMINISTRATOR, "渡辺 健"),
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
                    username=account.username,
                    defaults={"is_staff": True, "last_name": account.name},
                )
                if created:
                    user.groups.add(Group.objects.get(name=account.role))
                    if account.my_number:
                        user.groups.add(Group.objects.get(name=Role.MY_NUMBER_HANDLER))
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
        # runserver takes a port alone too, and then listens on 127.0.0.1.
        host, _, port = address.rpartition(":")
        site = f"http://{host or '127.0.0.1'}:{port}"
        staff = {user.username: user for user in User.objects.filter(is_staff=True)}
        day = stage(
            Staff(
                officer=staff["officer"],
                handler=staff["handler"],
                desk=staff["desk"],
                auditor=staff["auditor"],
                everyone=tuple(staff[account.username] for account in ACCOUNTS),
            ),
            base_url=f"{site}/",
        )
        if day.requests:
            self.stdout.write(
                f"Demo day: {day.requests} requests and {day.complaints} complaints in every "
                "state, incidents, self-inspections, audits, trainings, mail."
            )
            self._checkpoint()
        if printed:
            self.stdout.write(
                "\nDemo accounts (shown once; add each secret to an authenticator app, or "
                "`oathtool --totp -b SECRET` prints the current code):\n"
            )
            for line in printed:
                self.stdout.write(line)
        else:
            self.stdout.write(
                "\nDemo accounts exist already (officer, handler, benefits, desk, auditor, "
                "sysadmin); `manage.py demo --reset-passwords` prints new passwords and secrets."
            )
        self.stdout.write(
            f"\nStaff sign-in: {site}{reverse('safeguards:sign_in')}   "
            f"Public notice: {site}{reverse('purposes:notice')}\n"
        )

    def _checkpoint(self) -> None:
        """A signed checkpoint of the trail as it stands, as the auditors keep them."""
        if not settings.AUDIT_SIGNING_KEY:
            return
        folder = Path(settings.AUDIT_CHECKPOINT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        output = folder / f"demo-{timezone.now():%Y%m%d-%H%M%S}.json"
        call_command("audit_checkpoint", output=output, stdout=io.StringIO())
        self.stdout.write(f"Audit checkpoint: {output}")

    def _prepare(self, user: User, account: DemoAccount, *, officer: User | None) -> None:
        """Everything a new staff member of that role needs before handling data."""
        today = timezone.localdate()
        sign_pledge(user=user, version="2026-04", signed_on=today, by=officer or user)
        course, _ = TrainingCourse.objects.get_or_create(title="個人情報保護研修（年次）")
        session, _ = TrainingSession.objects.get_or_create(course=course, held_on=today)
        record_attendance(session=session, user=user, score=90, by=officer or user)
        for category in Category.objects.filter(code__in=account.scope):
            grant_scope(user=user, category=category, by=officer)

    def _credentials(self, user: User, account: DemoAccount) -> str:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save(update_fields=["password"])
        enrolment = enrol_totp(user=user, by=SYSTEM)
        return (
            f"  {account.role.label:<12} {account.name:<6} user: {user.username:<9} "
            f"password: {password}  "
            f"TOTP secret: {enrolment.secret}"
        )
