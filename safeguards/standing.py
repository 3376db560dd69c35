"""Whether a staff member may handle personal data today: a pledge on file and training in
force (人的安全管理措置). The gate asks `handling_refusal` before every read.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import deadlines
from safeguards.models import Attendance, Pledge


def handling_refusal(user, *, on: datetime.date) -> str | None:
    """None when `user` may handle personal data on `on`; otherwise why not and what to do.

    A confidentiality pledge signed on or before `on` must be on file, and a training whose
    test was passed must not have lapsed (its lapse date comes from `core.deadlines`).
    """
    # One query for both, on every gated request: the pledge's EXISTS and the latest lapse
    # date come back as two columns of the user's row.
    pledged, latest = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(
            Exists(Pledge.objects.filter(user=OuterRef("pk"), signed_on__lte=on)),
            Subquery(
                Attendance.objects.filter(
                    user=OuterRef("pk"), passed=True, session__held_on__lte=on
                )
                .order_by("-lapses_on")
                .values("lapses_on")[:1]
            ),
        )
        .first()
    ) or (False, None)
    return refusal_for(pledged=pledged, latest=latest, on=on)


def refusal_for(*, pledged: bool, latest: datetime.date | None, on: datetime.date) -> str | None:
    """`handling_refusal`'s answer from the two facts it reads: whether a pledge signed on or
    before `on` is on file, and the latest lapse date of a passed training held by `on`
    (None: none). The gate reads both in its own opening statement and asks this.
    """
    if not pledged:
        return _(
            "秘密保持誓約書が登録されていないため、個人データを取り扱えません。"
            "誓約書を提出し、個人情報取扱責任者に登録を依頼してください。"
        )
    if latest is None:
        return _(
            "個人情報保護研修の修了記録（理解度テスト合格）がないため、個人データを取り扱えません。"
            "研修を受講し、理解度テストに合格してください。"
        )
    if deadlines.has_lapsed(latest, today=on):
        return _(
            "個人情報保護研修の有効期限が%(date)sに切れたため、個人データを取り扱えません。"
            "研修を受講し直し、理解度テストに合格してください。"
        ) % {"date": date_format(latest, "Y年n月j日")}
    return None
