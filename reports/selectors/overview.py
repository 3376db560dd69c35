"""The overview of a period: requests, complaints, incidents, training and pledges,
self-inspections, 監事 audits and corrective actions. Counts and days, no personal data.

Requests and complaints are few (hundreds a year), so their medians are taken in Python
over one query's values; everything with a deadline asks `core.deadlines`.
"""

import datetime
import statistics
from collections import Counter

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.summary import answers
from core import deadlines
from disclosure.models import Kind, Request
from reports.period import Period
from reports.tables import Cell, Chart, Report, Table
from safeguards.incidents import assess, report_deadlines
from safeguards.models import AuditPlan, CorrectiveAction, Incident, Inspection
from safeguards.organisation import inspection_overdue
from safeguards.training import staff_standing

# An incident in these states has not been assessed yet: whether it must be reported is open.
UNDECIDED = {Incident.State.REPORTED, Incident.State.ASSESSING}


def overview(period: Period, *, today: datetime.date) -> Report:
    as_of = period.as_of(today)
    return Report(
        "overview",
        _("個人情報の取扱いの概況"),
        period,
        [
            *_requests(period, as_of),
            *_complaints(period, as_of),
            _incidents(period, as_of),
            _standing(as_of),
            _organisation(period, as_of),
        ],
    )


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return deadlines.local_date(moment) if moment else None


def _median(values: list) -> float | None:
    return float(statistics.median(values)) if values else None


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _requests(period: Period, as_of: datetime.date) -> list[Table]:
    start, until = period.bounds
    received = list(
        Request.objects.filter(received_at__gte=start, received_at__lt=until).values(
            "kinds", "state", "outcome", "received_at", "decided_at", "due_on", "extended_due_on"
        )
    )
    columns: dict[str, str] = {
        **{outcome: str(label) for outcome, label in Request.Outcome.choices},
        Request.State.REJECTED: str(Request.State.REJECTED.label),
        Request.State.WITHDRAWN: str(Request.State.WITHDRAWN.label),
        "pending": _("未決定"),
    }
    by_kind: dict[str, Counter] = {kind: Counter() for kind in Kind.values}
    days_to_decision, on_time, overdue = [], 0, 0
    for request in received:
        state = request["state"]
        column = request["outcome"] or (state if state in columns else "pending")
        for kind in request["kinds"]:
            by_kind[kind][column] += 1
        due = request["extended_due_on"] or request["due_on"]
        decided = _local_day(request["decided_at"])
        if decided:
            received_on = deadlines.local_date(request["received_at"])
            days_to_decision.append((decided - received_on).days)
            on_time += not deadlines.is_overdue(due, today=decided)
        elif deadlines.is_overdue(
            due, today=as_of, done=state not in Request.ANSWER_PENDING_STATES
        ):
            overdue += 1
    return [
        Table(
            _("開示等の請求：種類別・決定別の件数"),
            (_("請求の種類"), *columns.values(), _("計")),
            [
                (str(Kind(kind).label), *(counts[c] for c in columns), sum(counts.values()))
                for kind, counts in by_kind.items()
            ],
            Chart.BARS,
            value_column=len(columns) + 1,
            note=_("複数の種類を含む請求は、種類ごとに数えています。"),
        ),
        Table(
            _("開示等の請求：期限の遵守"),
            (_("項目"), _("値")),
            [
                (_("受け付けた請求"), len(received)),
                (_("決定した請求"), len(days_to_decision)),
                (_("期限内に決定した割合"), _rate(on_time, len(days_to_decision))),
                (_("決定までの日数（中央値）"), _median(days_to_decision)),
                (_("期限を過ぎて未決定の請求"), overdue),
            ],
        ),
    ]


def _complaints(period: Period, as_of: datetime.date) -> list[Table]:
    start, until = period.bounds
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=until)
    subjects = {subject: str(label) for subject, label in Complaint.Subject.choices}
    by_subject = received.values("subject").annotate(n=Count("id")).order_by("-n", "subject")
    answered = answers(received, today=as_of)
    return [
        Table(
            _("苦情：申出の対象別の件数"),
            (_("申出の対象"), _("件数")),
            [(subjects[row["subject"]], row["n"]) for row in by_subject],
            Chart.BARS,
        ),
        Table(
            _("苦情：回答までの期間"),
            (_("項目"), _("値")),
            [
                (_("受け付けた苦情（取下げを除く）"), answered.counted),
                (_("回答した苦情"), answered.answered),
                (_("回答までの日数（中央値）"), answered.median_days),
                (_("回答期限を過ぎた苦情"), answered.late),
            ],
        ),
    ]


def _report_status(last_day: datetime.date, done_at, *, as_of: datetime.date) -> str:
    """Whether a report to the PPC met its deadline: met, missed, or not yet due."""
    if deadlines.is_overdue(last_day, today=_local_day(done_at) or as_of):
        return _("期限超過")
    return _("期限内") if done_at else _("未報告（期限前）")


def _undecided(last_day: datetime.date, *, as_of: datetime.date) -> str:
    """A report whose need is still being assessed: open, or its deadline already passed."""
    if deadlines.is_overdue(last_day, today=as_of):
        return _("評価中（報告の要否が未定のまま期限超過）")
    return _("評価中（報告の要否は未定）")


def _incidents(period: Period, as_of: datetime.date) -> Table:
    start, until = period.bounds
    incidents = Incident.objects.filter(
        discovered_at__gte=start, discovered_at__lt=until
    ).prefetch_related("categories")
    rows: list[tuple[Cell, ...]] = []
    for incident in incidents.order_by("discovered_at", "id"):
        head = (
            incident.pk,
            incident.get_kind_display(),
            incident.get_state_display(),
            _local_day(incident.discovered_at),
        )
        required = assess(incident).report_required
        if not required and incident.state not in UNDECIDED:
            rows.append((*head, _("報告不要"), "—", "—", "—"))
            continue
        due = report_deadlines(incident)
        # The 速報 is asked for within 3 days and late only after the 5th (deadlines).
        last_preliminary = deadlines.add_days(
            deadlines.local_date(incident.discovered_at),
            deadlines.PRELIMINARY_REPORT_OVERDUE_AFTER_DAYS,
        )
        if not required:
            # Still being assessed: whether to report is open, and the clock runs from the
            # discovery all the same (Rules Art. 7-8).
            rows.append(
                (
                    *head,
                    due.preliminary_due,
                    _undecided(last_preliminary, as_of=as_of),
                    due.final_due,
                    _undecided(due.final_due, as_of=as_of),
                )
            )
            continue
        rows.append(
            (
                *head,
                due.preliminary_due,
                _report_status(
                    last_preliminary,
                    incident.preliminary_reported_at or incident.final_reported_at,
                    as_of=as_of,
                ),
                due.final_due,
                _report_status(due.final_due, incident.final_reported_at, as_of=as_of),
            )
        )
    return Table(
        _("漏えい等事案と報告期限"),
        (
            _("事案番号"),
            _("種類"),
            _("状態"),
            _("発覚日"),
            _("速報の期限"),
            _("速報"),
            _("確報の期限"),
            _("確報"),
        ),
        rows,
    )


def _standing(as_of: datetime.date) -> Table:
    rows, complete = [], 0
    for user in staff_standing(today=as_of).order_by("username"):
        lapses_on = user.training_lapses_on
        in_force = lapses_on is not None and not deadlines.has_lapsed(lapses_on, today=as_of)
        complete += in_force and user.pledge_signed_on is not None
        rows.append(
            (
                user.get_full_name() or user.get_username(),
                user.pledge_signed_on,
                lapses_on,
                _("有効") if in_force else _("未受講又は失効"),
                _("要更新") if deadlines.lapses_within(lapses_on, today=as_of) else "",
            )
        )
    return Table(
        _("秘密保持誓約と研修（%(date)s時点）") % {"date": as_of.isoformat()},
        (_("職員"), _("誓約書の署名日"), _("研修の失効日"), _("研修"), _("30日以内に失効")),
        rows,
        note=_("誓約書と有効な研修の両方がある職員：%(n)d人／%(total)d人")
        % {"n": complete, "total": len(rows)},
    )


def _organisation(period: Period, as_of: datetime.date) -> Table:
    inspections = list(Inspection.objects.filter(scheduled_on__range=(period.start, period.end)))
    audits = AuditPlan.objects.filter(planned_on__range=(period.start, period.end))
    actions = CorrectiveAction.objects.filter(
        Q(status=CorrectiveAction.Status.OPEN) | Q(completed_on__range=(period.start, period.end))
    )
    open_actions = actions.filter(status=CorrectiveAction.Status.OPEN)
    signed_off = Inspection.Status.SIGNED_OFF
    return Table(
        _("自己点検・監事監査・是正措置"),
        (_("項目"), _("件数"), _("未了"), _("期限超過")),
        [
            (
                _("自己点検"),
                len(inspections),
                sum(i.status != signed_off for i in inspections),
                sum(inspection_overdue(i, today=as_of) for i in inspections),
            ),
            (
                _("監事監査"),
                audits.count(),
                audits.exclude(status=AuditPlan.Status.CLOSED).count(),
                "—",
            ),
            (
                _("是正措置"),
                actions.count(),
                open_actions.count(),
                open_actions.filter(deadlines.overdue_q("due_on", today=as_of)).count(),
            ),
        ],
        note=_("是正措置は、対応中のものと期間内に完了したもの"),
    )
