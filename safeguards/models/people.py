"""Human safeguards (人的安全管理措置): confidentiality pledges, training and its effect.

Whether a user may handle personal data is decided from these rows by `safeguards.standing`;
training expiry comes from `core.deadlines`, never from arithmetic here.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import deadlines


class Pledge(models.Model):
    """A signed confidentiality pledge (秘密保持誓約) of one staff member, in one version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("職員"),
    )
    version = models.CharField(_("誓約書の版"), max_length=32)
    signed_on = models.DateField(_("署名日"))
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("秘密保持誓約")
        verbose_name_plural = _("秘密保持誓約")
        ordering = ("-signed_on", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("user", "version"), name="safeguards_pledge_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.version}"


class TrainingCourse(models.Model):
    """A course (研修) with its comprehension test's pass mark and how long it counts."""

    title = models.CharField(_("研修名"), max_length=200, unique=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("合格点"), default=80, validators=[MaxValueValidator(100)]
    )
    validity_months = models.PositiveSmallIntegerField(
        _("有効期間（月）"),
        default=deadlines.TRAINING_VALIDITY_MONTHS,
        validators=[MinValueValidator(1)],
    )

    class Meta:
        verbose_name = _("研修コース")
        verbose_name_plural = _("研修コース")
        ordering = ("title",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="safeguards_course_pass_mark_range"
            ),
            models.CheckConstraint(
                condition=models.Q(validity_months__gte=1),
                name="safeguards_course_validity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("研修コース"),
    )
    held_on = models.DateField(_("実施日"))
    instructor = models.CharField(_("講師"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("研修の実施")
        verbose_name_plural = _("研修の実施")
        ordering = ("-held_on", "-id")

    def __str__(self) -> str:
        return f"{self.course}（{self.held_on:%Y-%m-%d}）"


class Attendance(models.Model):
    """One staff member at one session, with the test score that shows whether it took effect.

    `lapses_on` is set from `deadlines.training_lapses_on` when the score is recorded, and
    only when the score reaches the pass mark: a failed test leaves the user untrained.
    """

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("研修の実施"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_attendances",
        verbose_name=_("職員"),
    )
    score = models.PositiveSmallIntegerField(
        _("理解度テストの得点"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    passed = models.BooleanField(_("効果あり（合格）"), default=False, editable=False)
    lapses_on = models.DateField(_("失効日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("受講記録")
        verbose_name_plural = _("受講記録")
        ordering = ("-session__held_on", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=("session", "user"), name="safeguards_attendance_once_per_session"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="safeguards_attendance_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(passed=False) | models.Q(lapses_on__isnull=False),
                name="safeguards_attendance_passed_has_lapse_date",
            ),
        ]
        indexes = [
            # standing.handling_refusal: the user's latest effective training.
            models.Index(fields=("user", "passed", "lapses_on"), name="safeguards_att_standing"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session}"


# Kumiai keeps Django's own user model (no AUTH_USER_MODEL), so the proxy names it.
class StaffStanding(User):
    """Staff members seen from the safeguards side: pledge and training in force or not."""

    class Meta:
        proxy = True
        verbose_name = _("職員の取扱資格")
        verbose_name_plural = _("職員の取扱資格")
