"""The access review: who read what, for which purpose, through which surface, and what
looks unusual (refusals, statutory exceptions, reads out of hours, large reads, a day far
above a handler's usual volume).

The figures come from the daily summaries (reports.summary) up to their mark and from the
trail's events after it: a year's review adds up tens of thousands of summary rows, not
millions of events. The drill-down links still read the events themselves.
"""

import statistics
from collections import defaultdict

from django.utils.translation import gettext as _

from audit.models import Event
from audit.vocabulary import Action
from disclosure.models import Request
from records import gate
from reports import conf, summary
from reports.period import Period
from reports.tables import Cell, Chart, Report, Table
from safeguards.models import StatutoryAccessReason

from . import events
from .names import REFUSAL_REASONS, category_names, ground_name, purpose_names, staff_names

SURFACES = dict(gate.Surface.choices)
# A request is answered on its own surface, by reads that name the request as their target
# (disclosure.access.statutory_access, the only reads on it).
REQUEST_SURFACE = gate.Surface.DISCLOSURE
REQUEST_TARGET = "disclosure.request"


def access_review(period: Period) -> Report:
    return summary.consistent(lambda source: _review(period, source))


def _ordered(rows: list[dict], figure: str, *keys: str) -> list[dict]:
    """The most first; ties in the order of their codes, so that every view agrees."""
    return sorted(rows, key=lambda r: (-r[figure], *(str(r[k]) for k in keys)))


def _review(period: Period, source: summary.Source) -> Report:
    large = conf.setting("LARGE_READ_ROWS")
    # One row per handler and day (thousands at most, however many events): the handlers,
    # the days, the hours and the volumes are all added up from it.
    daily = _ordered(source.figures(summary.READS, period, ("actor_id", "day")), "reads", "day")
    by_purpose = _ordered(
        _requests_apart(source.figures(summary.PURPOSES, period, ("purpose", "ground", "surface"))),
        "reads",
        "purpose",
        "ground",
        "surface",
    )
    by_surface = _ordered(
        source.figures(summary.PURPOSES, period, ("surface",)), "reads", "surface"
    )
    by_category = _ordered(
        source.figures(summary.CATEGORIES, period, ("category",)), "reads", "category"
    )
    refusals = _ordered(
        source.figures(summary.REFUSALS, period, ("actor_id", "reason", "purpose", "surface")),
        "refusals",
        "actor_id",
        "reason",
        "purpose",
        "surface",
    )
    statutory = source.statutory(period)
    opened_for = _requests_read(statutory)
    exceptional = [r for r in statutory if r["seq"] not in opened_for]
    names = staff_names(
        {d["actor_id"] for d in daily}
        | {r["actor_id"] for r in refusals}
        | {r["actor_id"] for r in statutory}
    )
    purposes = purpose_names()
    by_handler = _sum(daily, "actor_id")
    by_day = _sum(daily, "day")
    # The handler-days with the most reads out of hours first: the table stops at LIMIT rows.
    outside = sorted(
        (d for d in daily if d["outside_reads"]),
        key=lambda d: (-d["outside_reads"], d["day"], str(d["actor_id"])),
    )

    def link(**filters) -> str:
        return events.url(period, action=summary.READ, **filters)

    def purpose_label(group) -> str:
        if group["surface"] == REQUEST_SURFACE:
            return _("開示等の請求への対応（法令に基づく閲覧）")
        if group["ground"]:
            return _("法令に基づく例外：%(ground)s") % {"ground": ground_name(group["ground"])}
        if not group["purpose"]:  # a desk's filings (records.gate.filings): no purpose asked
            return _("窓口に届いた請求・苦情の閲覧")
        return purposes.get(group["purpose"], group["purpose"])

    tables = [
        Table(
            _("利用目的別の閲覧"),
            (_("利用目的"), _("閲覧回数"), _("件数")),
            [(purpose_label(g), g["reads"], g["rows"]) for g in by_purpose],
            Chart.BARS,
            links=[_purpose_link(link, g) for g in by_purpose],
        ),
        _categories(period, by_category),
        Table(
            _("担当者別の閲覧"),
            (_("担当者"), _("閲覧回数"), _("件数"), _("大量閲覧"), _("時間外")),
            [
                (names.get(actor), v["reads"], v["rows"], v["large"], v["outside_reads"])
                for actor, v in by_handler.items()
            ],
            Chart.BARS,
            links=[link(actor=actor) for actor in by_handler],
        ),
        Table(
            _("経路別の閲覧"),
            (_("経路"), _("閲覧回数"), _("件数")),
            [(SURFACES.get(g["surface"], g["surface"]), g["reads"], g["rows"]) for g in by_surface],
            Chart.BARS,
            links=[link(surface=g["surface"]) for g in by_surface],
        ),
        Table(
            _("日別の閲覧回数"),
            (_("日付"), _("閲覧回数"), _("件数")),
            [(day, by_day[day]["reads"], by_day[day]["rows"]) for day in sorted(by_day)],
            Chart.LINE,
        ),
        _for_requests(period, statutory, opened_for, names),
        _statutory(period, exceptional[: events.LIMIT], names, cut=_cut(exceptional)),
        _protected(period),
        Table(
            _("拒否されたアクセス"),
            (_("担当者"), _("理由"), _("利用目的"), _("経路"), _("回数")),
            [
                (
                    names.get(r["actor_id"]),
                    REFUSAL_REASONS.get(r["reason"], r["reason"]),
                    purposes.get(r["purpose"], r["purpose"]),
                    SURFACES.get(r["surface"], r["surface"]),
                    r["refusals"],
                )
                for r in refusals[: events.LIMIT]
            ],
            links=[
                events.url(period, action=summary.REFUSED, actor=r["actor_id"], reason=r["reason"])
                for r in refusals[: events.LIMIT]
            ],
            note=_cut(refusals),
        ),
        Table(
            _("勤務時間外の閲覧"),
            (_("担当者"), _("日付"), _("閲覧回数"), _("件数")),
            [
                (names.get(d["actor_id"]), d["day"], d["outside_reads"], d["outside_rows"])
                for d in outside[: events.LIMIT]
            ],
            links=[
                link(actor=d["actor_id"], day=d["day"], outside=True)
                for d in outside[: events.LIMIT]
            ],
            note=" ".join(
                [
                    _("平日%(opens)s〜%(closes)s（祝日を除く）以外の閲覧")
                    % {
                        "opens": conf.setting("OFFICE_OPENS"),
                        "closes": conf.setting("OFFICE_CLOSES"),
                    },
                    _cut(outside),
                ]
            ).strip(),
        ),
        _large_reads(period, by_handler, names, large),
        _unusual_days(period, daily, names),
    ]
    return Report("access", _("個人データへのアクセスの点検"), period, tables)


def _requests_apart(groups: list[dict]) -> list[dict]:
    """Reads by purpose and ground, a request's reads as one group of their own: the
    surfaces added up, except the one on which requests are answered."""
    merged: dict[tuple, dict] = {}
    for g in groups:
        surface = g["surface"] if g["surface"] == REQUEST_SURFACE else ""
        total = merged.setdefault(
            (g["purpose"], g["ground"], surface),
            {
                "purpose": g["purpose"],
                "ground": g["ground"],
                "surface": surface,
                "reads": 0,
                "rows": 0,
            },
        )
        total["reads"] += g["reads"]
        total["rows"] += g["rows"]
    return list(merged.values())


def _purpose_link(link, group: dict) -> str:
    if group["surface"] == REQUEST_SURFACE:
        return link(ground=group["ground"], surface=REQUEST_SURFACE)
    if group["ground"]:
        return link(ground=group["ground"], exceptional=True)
    return link(purpose=group["purpose"])


def _requests_read(statutory: list[dict]) -> dict[int, int]:
    """The statutory reads opened to answer a request (disclosure.access), by seq: the
    request's id. Their event names the request as its target."""
    return {
        seq: int(target)
        for seq, target in Event.objects.filter(
            seq__in=[r["seq"] for r in statutory], target_type=REQUEST_TARGET
        ).values_list("seq", "target_id")
    }


def _for_requests(period: Period, statutory: list[dict], opened_for: dict, names) -> Table:
    """Reads to answer a request, one row per request however many pages its handling
    opened: routine work that the Act requires, apart from the exceptional reads."""
    by_request: dict[int, dict] = {}
    for r in statutory:
        if r["seq"] not in opened_for:
            continue
        group = by_request.setdefault(
            opened_for[r["seq"]], {"reads": 0, "rows": 0, "actors": set(), "first": r["at"]}
        )
        group["reads"] += 1
        group["rows"] += r["rows"]
        group["actors"].add(r["actor_id"])
        group["last"] = r["at"]
    receipts = dict(Request.objects.filter(pk__in=by_request).values_list("pk", "receipt_number"))
    shown = sorted(by_request.items(), key=lambda item: item[1]["first"])[: events.LIMIT]
    return Table(
        _("開示等の請求への対応のための閲覧"),
        (_("受付番号"), _("閲覧回数"), _("件数"), _("担当者"), _("最初の閲覧"), _("最後の閲覧")),
        [
            (
                receipts.get(pk, _("請求ID %(id)s") % {"id": pk}),
                g["reads"],
                g["rows"],
                "、".join(sorted(str(names.get(a)) for a in g["actors"])),
                g["first"],
                g["last"],
            )
            for pk, g in shown
        ],
        links=[events.url(period, action=summary.READ, for_request=pk) for pk, _g in shown],
        note=" ".join(
            [
                _(
                    "請求に答えるため、請求の本人のデータをすべての類型について読むもの"
                    "（個人情報保護法第33条ほか）。請求ごとに数えています。"
                ),
                _cut(list(by_request)),
            ]
        ).strip(),
    )


def _cut(rows: list) -> str:
    """The note of a table cut at `events.LIMIT` rows (the most first), as the event list
    and the scope changes stop: page and exports alike, the auditor narrows the period."""
    if len(rows) <= events.LIMIT:
        return ""
    return _("上位%(n)d件（全%(all)d件中）を表示しています。期間を絞ってください。") % {
        "n": events.LIMIT,
        "all": len(rows),
    }


def _sum(daily: list[dict], key: str) -> dict:
    """The handler-day rows added up by `key`, the most reads first."""
    figures = ("reads", "rows", "large", "outside_reads")
    sums: dict = {}
    for row in daily:
        total = sums.setdefault(row[key], dict.fromkeys(figures, 0))
        for figure in figures:
            total[figure] += row[figure]
    return dict(sorted(sums.items(), key=lambda item: (-item[1]["reads"], str(item[0]))))


def _categories(period: Period, counts: list[dict]) -> Table:
    """Reads by category: each event counts once for every category it touched."""
    names = category_names()
    return Table(
        _("類型別の閲覧"),
        (_("類型"), _("閲覧回数")),
        [(names.get(c["category"], c["category"]), c["reads"]) for c in counts],
        Chart.BARS,
        links=[events.url(period, action=summary.READ, category=c["category"]) for c in counts],
    )


def _statutory(period: Period, reads: list[dict], names, *, cut: str) -> Table:
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
                r["rows"],
            )
            for r in reads
        ],
        links=[events.url(period, seq=r["seq"]) for r in reads],
        note=" ".join([_("個人情報保護法第18条第3項"), cut]).strip(),
    )


def _protected(period: Period) -> Table:
    """Every read of a protected member (DV and the like; the gate's ledger names them in the
    event's `protected`), read from the trail itself: there are few."""
    protected = events.in_period(period, Action.RECORDS_ACCESS_READ).filter(
        details__has_key="protected"
    )
    count = protected.count()
    reads = list(
        protected.values("seq", "at", "actor_id", "details").order_by("seq")[: events.LIMIT]
    )
    names = staff_names({r["actor_id"] for r in reads})
    return Table(
        _("保護措置（DV等）のある加入者の閲覧（%(n)d回）") % {"n": count},
        (_("連番"), _("日時"), _("担当者"), _("加入者ID")),
        [
            (
                r["seq"],
                r["at"],
                names.get(r["actor_id"]),
                "、".join(str(pk) for pk in r["details"]["protected"]),
            )
            for r in reads
        ],
        links=[events.url(period, seq=r["seq"]) for r in reads],
        note=" ".join(
            [
                _(
                    "DV・ストーカー行為・児童虐待等の被害者として保護措置のある加入者の情報を"
                    "読んだ全ての閲覧です。業務上必要な閲覧か確かめてください。"
                ),
                _("先頭の%(n)d件を表示しています。期間を絞ってください。") % {"n": events.LIMIT}
                if count > events.LIMIT
                else "",
            ]
        ).strip(),
    )


def _large_reads(period: Period, by_handler: dict, names, large: int) -> Table:
    flagged = [(actor, v["large"]) for actor, v in by_handler.items() if v["large"]]
    return Table(
        _("大量閲覧（1回%(rows)d件超）") % {"rows": large},
        (_("担当者"), _("回数")),
        [(names.get(actor), n) for actor, n in flagged],
        links=[
            events.url(period, action=summary.READ, actor=a, min_rows=large + 1)
            for a, _n in flagged
        ],
    )


def _unusual_days(period: Period, daily: list[dict], names) -> Table:
    """Days on which a handler read far more rows than on their median day of reading."""
    factor, floor = conf.setting("VOLUME_FACTOR"), conf.setting("VOLUME_MIN_ROWS")
    by_handler: dict = defaultdict(dict)
    for row in daily:
        by_handler[row["actor_id"]][row["day"]] = row["rows"]  # one row per handler and day
    rows: list[tuple[Cell, ...]] = []
    links: list[str | None] = []
    for actor, days in by_handler.items():
        median = statistics.median(days.values())
        for day, total in sorted(days.items()):
            if total >= floor and total > factor * median:
                rows.append((names.get(actor), day, total, median))
                links.append(events.url(period, action=summary.READ, actor=actor, day=day))
    return Table(
        _("通常より著しく多い閲覧"),
        (_("担当者"), _("日付"), _("件数"), _("1日の件数の中央値")),
        rows,
        links=links,
        note=_("1日の件数が本人の中央値の%(factor)d倍を超え、かつ%(floor)d件以上の日")
        % {"factor": factor, "floor": floor},
    )
