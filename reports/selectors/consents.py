"""Consent (APPI Art. 18(1), Art. 27(1)) and opt-outs from an implied consent, for the 監事:
per purpose (and for provision to third parties), how many consents are in force at the end
of the period, how many were withdrawn in it, how many opt-outs are in force. Counts only,
never a member."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from purposes.models import Purpose
from records.models import Consent
from reports.period import Period
from reports.tables import Report, Table


def consents_report(period: Period) -> Report:
    end = period.end
    in_force = Q(given_on__lte=end) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=end))
    withdrawn = Q(withdrawn_on__gte=period.start, withdrawn_on__lte=end)
    counts: dict[int | None, tuple[int, int, int]] = {
        row["purpose"]: (row["consents"], row["withdrawn"], row["opt_outs"])
        for row in Consent.objects.values("purpose").annotate(
            consents=Count("id", filter=in_force & Q(kind=Consent.Kind.CONSENT)),
            withdrawn=Count("id", filter=withdrawn & Q(kind=Consent.Kind.CONSENT)),
            opt_outs=Count("id", filter=in_force & Q(kind=Consent.Kind.OPT_OUT)),
        )
    }
    covered = [(None, _("第三者提供（法第27条第1項）"), "—")] + [
        (purpose.pk, purpose.name, purpose.get_consent_display())
        for purpose in Purpose.objects.filter(Q(consent__gt="") | Q(consents__isnull=False))
        .distinct()
        .order_by("id")
    ]
    return Report(
        "consents",
        _("本人の同意"),
        period,
        [
            Table(
                _("利用目的ごとの同意と不同意の申出"),
                (
                    _("対象"),
                    _("同意の扱い"),
                    _("有効な同意（期間末）"),
                    _("期間中の撤回"),
                    _("有効な不同意の申出（期間末）"),
                ),
                [(name, treatment, *counts.get(pk, (0, 0, 0))) for pk, name, treatment in covered],
                note=_(
                    "同意が必要な利用目的は、有効な同意のある加入者の記録だけが閲覧できます。"
                    "黙示の同意による利用目的は、不同意の申出のある加入者の記録を閲覧できません。"
                ),
            ),
        ],
    )
