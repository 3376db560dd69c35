"""Test helpers other apps' tests may use: a staff session verified by a TOTP device.

The admin refuses a session without a verified device (django-otp, in every mode), so tests that
open admin pages sign in through `sign_in_verified`, never by switching two-factor off.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def enrol_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_token(device: TOTPDevice) -> str:
    """The token the device's authenticator app would show now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def sign_in_verified(client, user) -> TOTPDevice:
    """Log `client` in as `user`, verified by a confirmed TOTP device as after a real sign-in."""
    device = enrol_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def make_staff(username: str, *roles, **extra):
    """A staff member in the given roles (safeguards.roles.Role), with an address for alerts."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(
        username, email=f"{username}@example.org", is_staff=True, **extra
    )
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def in_good_standing(user):
    """`user` with a signed pledge and a passed training in force today (safeguards.standing):
    what the gate asks of anyone who reads records or a desk's filings."""
    from django.utils import timezone

    from safeguards.models import TrainingCourse, TrainingSession
    from safeguards.training import record_attendance, sign_pledge

    today = timezone.localdate()
    sign_pledge(user=user, version="test", signed_on=today, by=user)
    course, _ = TrainingCourse.objects.get_or_create(title="個人情報保護研修")
    session = TrainingSession.objects.create(course=course, held_on=today)
    record_attendance(session=session, user=user, score=100, by=user)
    return user


def second_officer_approves(kind: str, target):
    """A second privacy officer's approval of `kind` (an erasure, a release) for `target`, asked
    by one officer and approved by another through `safeguards.approvals`, as in the admin."""
    from django.contrib.auth.models import User

    from safeguards import approvals
    from safeguards.roles import Role

    def officer(name):
        return User.objects.filter(username=name).first() or make_staff(name, Role.PRIVACY_OFFICER)

    approval = approvals.ask(
        kind=kind,
        change=approvals.permit_change(target),
        description=str(approvals.Kind(kind).label),
        by=officer("asking_officer"),
    )
    return approvals.approve(approval=approval, by=officer("approving_officer"))
