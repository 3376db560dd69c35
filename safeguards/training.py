"""Human safeguards: confidentiality pledges, training results and who is about to lapse.

The notice promises training whose effect is checked (効果を検証): an attendance counts
only once its comprehension test reaches the course's pass mark.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q, QuerySet

from audit.trail import actor_for, append
from audit.vocabulary import Action
from core import audited, deadlines
from safeguards.models import Attendance, Pledge, TrainingSession


@transaction.atomic
def sign_pledge(*, user, version: str, signed_on: datetime.date, by) -> Pledge:
    return audited.save(
        Pledge(user=user, version=version, signed_on=signed_on),
        by=by,
        action=Action.SAFEGUARDS_PLEDGE_CREATED,
        details=lambda pledge: {"user": user.pk, "version": version},
    )


@transaction.atomic
def record_attendance(*, session: TrainingSession, user, score: int | None, by) -> Attendance:
    """Record (or correct) one attendance and its test score; a pass sets the lapse date."""
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        session=session, user=user
    )
    course = session.course
    attendance.score = score
    attendance.passed = score is not None and score >= course.pass_mark
    attendance.lapses_on = (
        deadlines.training_lapses_on(session.held_on, months=course.validity_months)
        if attendance.passed
        else None
    )
    attendance.full_clean()
    attendance.save()
    append(
        action=(
            Action.SAFEGUARDS_ATTENDANCE_CREATED
            if created
            else Action.SAFEGUARDS_ATTENDANCE_CHANGED
        ),
        actor=actor_for(by),
        target=attendance,
        details={"user": user.pk, "session": session.pk, "passed": attendance.passed},
    )
    return attendance


def staff_standing(*, today: datetime.date) -> QuerySet:
    """Staff members with their latest pledge and the day their training lapses.

    `training_lapses_on` is the latest lapse date among passed attendances, so a renewal
    supersedes an older course; `lapsing_soon` is true where it falls within 30 days.
    """
    return (
        get_user_model()
        .objects.filter(is_staff=True)
        .annotate(
            pledge_signed_on=Max("pledges__signed_on", filter=Q(pledges__signed_on__lte=today)),
            training_lapses_on=Max(
                "training_attendances__lapses_on",
                filter=Q(training_attendances__passed=True),
            ),
        )
    )


def lapsing(*, today: datetime.date, days: int = deadlines.LAPSE_WARNING_DAYS) -> QuerySet:
    """Who lapses in the next `days` days, the soonest first: the privacy officer's list."""
    return (
        staff_standing(today=today)
        .filter(deadlines.lapsing_q("training_lapses_on", today=today, days=days))
        .order_by("training_lapses_on", "username")
    )
