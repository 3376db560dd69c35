"""The access review: who read what, for which purpose, through which surface, and what
looks unusual (refusals, statutory exceptions, reads out of hours, large reads, a day far
above a handler's usual volume).

One grouped scan of the period's `access.read` events gives every figure except the
categories, which a second scan counts by unnesting the details' category list.
"""

import statistics
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from records import gate
from reports import conf
from reports.period import Period
from reports.tables import Chart, Report, Table
from safeguards.models import StatutoryAccessReason

from . import events
from .names import category_names, ground_name, purpose_names, staff_names

READ, REFUSED = "access.read", "access.refused"

# The gate's refusal codes, as the auditor reads them.
REFUSAL_REASONS = {
    gate.OutOfScope.reason: gettext_lazy("担当範囲外"),
    gate.PurposeNotPermitted.reason: gettext_lazy("利用目的が認められていない"),
    gate.PurposeMissing.reason: gettext_lazy("利用目的の指定なし"),
    gate.StandingLapsed.reason: gettext_lazy("誓約書・研修の未了又は失効"),
}
SURFACES = dict(gate.Surface.choices)


def access_review(period: Period) -> Report:
    large = conf.setting("LARGE_READ_ROWS")
    reads = events.annotated(events.in_period(period, READ), period)

    def grouped(*keys, **extra) -> list[dict]:
        counts = {"n": Count("id"), "rows": Coalesce(Sum("rowcount"), 0), **extra}
        return list(reads.values(*keys).annotate(**counts).order_by("-n"))

    # One row per handler and day (thousands at most, however many events): the handlers,
    # the days, the hours and the volumes are all added up from it.
    daily = grouped(
        "actor_id",
        "day",
        large=Count("id", filter=Q(rowcount__gt=large)),
        outside_n=Count("id", filter=Q(outside=True)),
        outside_rows=Coalesce(Sum("rowcount", filter=Q(outside=True)), 0),
    )
    by_purpose = grouped("purpose", "ground")
    by_surface = grouped("surface")
    refusals = list(
        events.annotated(events.in_period(period, REFUSED), period)
        .values("actor_id", "reason", "purpose", "surface")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    names = staff_names({d["actor_id"] for d in daily} | {r["actor_id"] for r in refusals})
    purposes = purpose_names()
    by_handler = _sum(daily, "actor_id")
    by_day = _sum(daily, "day")
    outside = sorted((d for d in daily if d["outside_n"]), key=lambda d: (d["day"], d["n"]))

    def link(**filters) -> str:
        return events.url(period, action=READ, **filters)

    def purpose_label(group) -> str:
        if group["ground"]:
            return _("法令に基づく例外：%(ground)s") % {"ground": ground_name(group["ground"])}
        return purposes.get(group["purpose"], group["purpose"])

    tables = [
        Table(
            _("利用目的別の閲覧"),
            (_("利用目的"), _("閲覧回数"), _("件数")),
            [(purpose_label(g), g["n"], g["rows"]) for g in by_purpose],
            Chart.BARS,
            links=[
                link(ground=g["ground"]) if g["ground"] else link(purpose=g["purpose"])
                for g in by_purpose
            ],
        ),
        _categories(period),
        Table(
            _("担当者別の閲覧"),
            (_("担当者"), _("閲覧回数"), _("件数"), _("大量閲覧"), _("時間外")),
            [
                (names.get(actor), v["n"], v["rows"], v["large"], v["outside_n"])
                for actor, v in by_handler.items()
            ],
            Chart.BARS,
            links=[link(actor=actor) for actor in by_handler],
        ),
        Table(
            _("経路別の閲覧"),
            (_("経路"), _("閲覧回数"), _("件数")),
            [(SURFACES.get(g["surface"], g["surface"]), g["n"], g["rows"]) for g in by_surface],
            Chart.BARS,
            links=[link(surface=g["surface"]) for g in by_surface],
        ),
        Table(
            _("日別の閲覧回数"),
            (_("日付"), _("閲覧回数"), _("件数")),
            [(day, by_day[day]["n"], by_day[day]["rows"]) for day in sorted(by_day)],
            Chart.LINE,
        ),
        _statutory(period, names),
        Table(
            _("拒否されたアクセス"),
            (_("担当者"), _("理由"), _("利用目的"), _("経路"), _("回数")),
            [
                (
                    names.get(r["actor_id"]),
                    REFUSAL_REASONS.get(r["reason"], r["reason"]),
                    purposes.get(r["purpose"], r["purpose"]),
                    SURFACES.get(r["surface"], r["surface"]),
                    r["n"],
                )
                for r in refusals
            ],
            links=[
                events.url(period, action=REFUSED, actor=r["actor_id"], reason=r["reason"])
                for r in refusals
            ],
        ),
        Table(
            _("勤務時間外の閲覧"),
            (_("担当者"), _("日付"), _("閲覧回数"), _("件数")),
            [
                (names.get(d["actor_id"]), d["day"], d["outside_n"], d["outside_rows"])
                for d in outside
            ],
            links=[link(actor=d["actor_id"], day=d["day"], outside=True) for d in outside],
            note=_("平日%(opens)s〜%(closes)s（祝日を除く）以外の閲覧")
            % {"opens": conf.setting("OFFICE_OPENS"), "closes": conf.setting("OFFICE_CLOSES")},
        ),
        _large_reads(period, by_handler, names, large),
        _unusual_days(period, daily, names),
    ]
    return Report("access", _("個人データへのアクセスの点検"), period, tables)


def _sum(daily: list[dict], key: str) -> dict:
    """The handler-day rows added up by `key`, the most reads first."""
    figures = ("n", "rows", "large", "outside_n")
    sums: dict = {}
    for row in daily:
        total = sums.setdefault(row[key], dict.fromkeys(figures, 0))
        for figure in figures:
            total[figure] += row[figure]
    return dict(sorted(sums.items(), key=lambda item: -item[1]["n"]))


def _categories(period: Period) -> Table:
    """Reads by category: each event counts once for every category it touched."""
    start, until = period.bounds
    if connection.vendor == "postgresql":
        unnest = "jsonb_array_elements_text(e.details -> 'categories') AS c(code)"
    else:
        unnest = "json_each(e.details, '$.categories') AS c"
    code = "c.code" if connection.vendor == "postgresql" else "c.value"
    sql = (
        f"SELECT {code}, COUNT(*) FROM audit_event e, {unnest} "  # noqa: S608  no user input
        "WHERE e.action = %s AND e.at >= %s AND e.at < %s GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (READ, start, until))
        counts = cursor.fetchall()
    names = category_names()
    return Table(
        _("類型別の閲覧"),
        (_("類型"), _("閲覧回数")),
        [(names.get(c, c), n) for c, n in counts],
        Chart.BARS,
        links=[events.url(period, action=READ, category=c) for c, _n in counts],
    )


def _statutory(period: Period, names) -> Table:
    reads = list(
        events.annotated(events.in_period(period, READ), period)
        .filter(details__statutory=True)
        .values("seq", "at", "actor_id", "ground", "rowcount")
        .order_by("seq")
    )
    reasons = dict(
        StatutoryAccessReason.objects.filter(event_seq__in=[r["seq"] for r in reads]).values_list(
            "event_seq", "reason"
        )
    )
    return Table(
        _("法令に基づく例外による閲覧"),
        (_("連番"), _("日時"), _("担当者"), _("根拠"), _("述べられた理由"), _("件数")),
        [
            (
                r["seq"],
                r["at"],
                names.get(r["actor_id"]),
                ground_name(r["ground"]),
                reasons.get(r["seq"], ""),
                r["rowcount"],
            )
            for r in reads
        ],
        links=[events.url(period, seq=r["seq"]) for r in reads],
        note=_("個人情報保護法第18条第3項"),
    )


def _large_reads(period: Period, by_handler: dict, names, large: int) -> Table:
    flagged = [(actor, v["large"]) for actor, v in by_handler.items() if v["large"]]
    return Table(
        _("大量閲覧（1回%(rows)d件超）") % {"rows": large},
        (_("担当者"), _("回数")),
        [(names.get(actor), n) for actor, n in flagged],
        links=[events.url(period, action=READ, actor=a, min_rows=large + 1) for a, _n in flagged],
    )


def _unusual_days(period: Period, daily: list[dict], names) -> Table:
    """Days on which a handler read far more rows than on their median day of reading."""
    factor, floor = conf.setting("VOLUME_FACTOR"), conf.setting("VOLUME_MIN_ROWS")
    by_handler: dict = defaultdict(dict)
    for row in daily:
        by_handler[row["actor_id"]][row["day"]] = row["rows"]
    rows, links = [], []
    for actor, days in by_handler.items():
        median = statistics.median(days.values())
        for day, total in sorted(days.items()):
            if total >= floor and total > factor * median:
                rows.append((names.get(actor), day, total, median))
                links.append(events.url(period, action=READ, actor=actor, day=day))
    return Table(
        _("通常より著しく多い閲覧"),
        (_("担当者"), _("日付"), _("件数"), _("1日の件数の中央値")),
        rows,
        links=links,
        note=_("1日の件数が本人の中央値の%(factor)d倍を超え、かつ%(floor)d件以上の日")
        % {"factor": factor, "floor": floor},
    )
