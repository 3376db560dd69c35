"""Incidents (漏えい等事案): report, assessment against APPI Art. 26, the state table (moved by
`core.workflow.transition`), the notice to the persons affected, and what is overdue.

Every change writes an `IncidentStep` for the timeline and an audit event in the same
transaction, the alert mail with them (`core.outbox`): sent by the worker once it commits.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.trail import By, actor_for, append, user_of
from audit.vocabulary import Action
from core import deadlines, outbox
from core.workflow import Change, Move, NotAllowed, Refused, Workflow, missing
from safeguards.models import Incident, IncidentStep
from safeguards.models.incidents import PERSONS_THRESHOLD
from safeguards.organisation import emergency_emails
from safeguards.roles import Role, has_role

State = Incident.State

# The register's code for 加入者の口座情報 (purposes/data/codes.toml): a leak of it risks
# financial damage from misuse, reportable from one person up (Enforcement Rules Art. 7(ii)).
FINANCIAL_CATEGORY_CODES = frozenset({"bank-accounts"})

# Enforcement Rules Art. 8(1)(i)-(viii) must be answered before the 確報; (ix) is optional.
FINAL_REPORT_FIELDS = (
    "summary",
    "data_items",
    "persons_affected",
    "cause",
    "secondary_harm",
    "response_to_persons",
    "publication",
    "prevention",
)


# What the privacy officer edits on the incident's page, apart from the categories.
ASSESSMENT_FIELDS = (
    "kind",
    "summary",
    "discovered_at",
    "financial_damage_risk",
    "unlawful_purpose_suspected",
    "persons_affected",
    "strongly_encrypted",
    "key_store_affected",
    "my_number_involved",
    "my_number_network_system",
    "my_number_persons",
    "data_items",
    "cause",
    "secondary_harm",
    "response_to_persons",
    "publication",
    "prevention",
    "other_matters",
    "alternative_measure",
)


CRITERIA = ("sensitive_data", "financial_damage_risk", "unlawful_purpose", "over_threshold")
# 番号法規則第2条第4号: a leak of 特定個人情報 of more than 100 persons is reportable.
MY_NUMBER_PERSONS_THRESHOLD = 100


@dataclass(frozen=True)
class Assessment:
    """The incident against the reporting criteria of Enforcement Rules Art. 7, and, for
    特定個人情報, of 番号法第29条の4 (特定個人情報の漏えい等に関する報告等に関する規則第2条)."""

    sensitive_data: bool  # (i) 要配慮個人情報
    financial_damage_risk: bool  # (ii)
    unlawful_purpose: bool  # (iii)
    over_threshold: bool  # (iv) more than 1,000 persons
    strongly_encrypted: bool  # Rules Art. 7 柱書: 高度な暗号化その他の必要な措置
    # The affected categories the society stores encrypted (their names), whether the key
    # store was affected as the officer answered (None: not yet), and the criteria that
    # still hold once the categories encrypted with their keys safe are set aside.
    encrypted: tuple[str, ...] = ()
    key_store_affected: bool | None = None
    exposed_criteria: tuple[str, ...] = ()
    # 番号法 (each only where 特定個人情報 leaked): the network system or the systems of
    # 個人番号利用事務 (規則第2条第1号), an unlawful purpose (第2号), more than 100 persons (第4号).
    my_number_network_system: bool = False
    my_number_unlawful_purpose: bool = False
    my_number_over_threshold: bool = False

    @property
    def criteria(self) -> list[str]:
        return [name for name in CRITERIA if getattr(self, name)]

    @property
    def exempt_by_encryption(self) -> bool:
        """Reportable data, all of it stored encrypted with the key store unaffected: not a
        reportable leak (Rules Art. 7, 高度な暗号化)."""
        return bool(self.criteria) and not self.exposed_criteria

    @property
    def key_store_question_open(self) -> bool:
        return bool(self.encrypted) and self.key_store_affected is None

    @property
    def my_number_criteria(self) -> list[str]:
        names = (
            "my_number_network_system",
            "my_number_unlawful_purpose",
            "my_number_over_threshold",
        )
        return [name for name in names if getattr(self, name)]

    @property
    def appi_report_required(self) -> bool:
        """Whether APPI Art. 26(1) requires a report to the PPC (and Art. 26(2) a notice)."""
        return bool(self.exposed_criteria) and not self.strongly_encrypted

    @property
    def my_number_report_required(self) -> bool:
        """Whether 番号法第29条の4第1項 requires a report to the PPC (and 第2項 a notice);
        the rules except data under 高度な暗号化 alike."""
        return bool(self.my_number_criteria) and not self.strongly_encrypted

    @property
    def report_required(self) -> bool:
        """Whether either Act requires a report to the PPC and a notice to the persons."""
        return self.appi_report_required or self.my_number_report_required


@dataclass(frozen=True)
class ReportDeadlines:
    preliminary_due: datetime.date
    final_due: datetime.date


def _criteria(incident: Incident, categories: list, *, protected: bool) -> dict[str, bool]:
    """Rules Art. 7(i)-(iv) on `categories`; with `protected`, every category of the incident
    is stored encrypted with its keys safe, and the incident-wide ones hold for nothing."""
    return {
        "sensitive_data": any(category.sensitive for category in categories),
        "financial_damage_risk": (incident.financial_damage_risk and not protected)
        or any(category.code in FINANCIAL_CATEGORY_CODES for category in categories),
        "unlawful_purpose": incident.unlawful_purpose_suspected and not protected,
        "over_threshold": (incident.persons_affected or 0) > PERSONS_THRESHOLD and not protected,
    }


def assess(incident: Incident) -> Assessment:
    categories = list(incident.categories.all()) if incident.pk else []
    encrypted = [category for category in categories if category.encrypted_at_rest]
    # Only an answer of 影響なし sets the encrypted categories aside: unanswered, they count.
    keys_safe = incident.key_store_affected is False
    exposed = [c for c in categories if not (keys_safe and c.encrypted_at_rest)]
    protected = bool(categories) and not exposed
    exposed_criteria = _criteria(incident, exposed, protected=protected)
    return Assessment(
        **_criteria(incident, categories, protected=False),
        strongly_encrypted=incident.strongly_encrypted,
        encrypted=tuple(category.name for category in encrypted),
        key_store_affected=incident.key_store_affected,
        exposed_criteria=tuple(name for name in CRITERIA if exposed_criteria[name]),
        my_number_network_system=incident.my_number_involved and incident.my_number_network_system,
        my_number_unlawful_purpose=incident.my_number_involved
        and incident.unlawful_purpose_suspected,
        my_number_over_threshold=incident.my_number_involved
        and (incident.my_number_persons or 0) > MY_NUMBER_PERSONS_THRESHOLD,
    )


def report_deadlines(incident: Incident) -> ReportDeadlines:
    return ReportDeadlines(
        preliminary_due=deadlines.preliminary_report_due(incident.discovered_at),
        final_due=deadlines.final_report_due(
            incident.discovered_at, unlawful_purpose=incident.unlawful_purpose_suspected
        ),
    )


def overdue_reports(incident: Incident, *, today: datetime.date) -> list[str]:
    """Which reports to the PPC are late: "preliminary", "final", or none."""
    if incident.state == State.CLOSED or not assess(incident).report_required:
        return []
    final_done = incident.final_reported_at is not None
    late = []
    if deadlines.preliminary_report_overdue(
        incident.discovered_at,
        today=today,
        done=final_done or incident.preliminary_reported_at is not None,
    ):
        late.append("preliminary")
    if deadlines.is_overdue(report_deadlines(incident).final_due, today=today, done=final_done):
        late.append("final")
    return late


def _step(incident: Incident, *, by, kind: str, at: datetime.datetime, note: str = "", **states):
    IncidentStep.objects.create(
        incident=incident, by=user_of(by), kind=kind, at=at, note=note, **states
    )


def _alert_officers(incident: Incident, subject: str) -> None:
    """Mail the emergency line, through the outbox in the transaction of the change it
    announces. The mail names the incident only: its details stay in the admin."""
    outbox.enqueue(
        subject=subject,
        template="safeguards/mail/incident.txt",
        context={"incident": incident},
        to=emergency_emails(),
    )


@transaction.atomic
def report_incident(
    *,
    incident: Incident,
    by: By,
    source: str = Incident.Source.STAFF,
    now: datetime.datetime | None = None,
) -> Incident:
    """Record a suspected leak, loss or damage and alert the officers (APPI Art. 26).

    Any staff member reports one (`by`); the complaints desk reports what a complaint
    raised (`source` COMPLAINT), `by` PUBLIC when the public filed it on the web form.
    Raises ValidationError for a staff report without a staff member.
    """
    now = now or timezone.now()
    incident.reported_by = user_of(by)
    incident.source = source
    incident.state = State.REPORTED
    incident.full_clean()
    incident.save()
    _step(incident, by=by, kind=IncidentStep.Kind.REPORTED, at=now, to_state=State.REPORTED)
    append(
        action=Action.SAFEGUARDS_INCIDENT_REPORTED,
        actor=actor_for(by),
        target=incident,
        details={"kind": incident.kind, "source": source},
    )
    _alert_officers(incident, _("【至急】漏えい等事案の報告がありました"))
    return incident


# Only the privacy officer handles an incident once it is reported.
OFFICER_ONLY = gettext_lazy("漏えい等事案の対応は個人情報取扱責任者が行います。")


def _require_officer(by) -> None:
    if not has_role(by, Role.PRIVACY_OFFICER):
        raise NotAllowed(OFFICER_ONLY)


@transaction.atomic
def record_assessment(
    *, incident: Incident, by, fields: Iterable[str], now: datetime.datetime | None = None
) -> Incident:
    """Save the assessment and report items; categories are saved by the caller's form."""
    _require_officer(by)
    if Incident.objects.select_for_update().get(pk=incident.pk).state == State.CLOSED:
        raise Refused(_("終結した事案は変更できません。"))
    incident.full_clean()
    # Only what the assessor edits: the state and report dates belong to `transition`.
    incident.save(update_fields=ASSESSMENT_FIELDS)
    fields = sorted(fields)
    _step(incident, by=by, kind=IncidentStep.Kind.ASSESSED, at=now or timezone.now())
    append(
        action=Action.SAFEGUARDS_INCIDENT_ASSESSED,
        actor=actor_for(by),
        target=incident,
        details={"fields": fields},
    )
    return incident


@transaction.atomic
def record_persons_notice(
    *, incident: Incident, by, now: datetime.datetime | None = None
) -> Incident:
    """The persons affected have been told (APPI Art. 26(2))."""
    _require_officer(by)
    now = now or timezone.now()
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    locked.persons_notified_at = now
    locked.save(update_fields=["persons_notified_at"])
    _step(locked, by=by, kind=IncidentStep.Kind.PERSONS_NOTIFIED, at=now)
    append(action=Action.SAFEGUARDS_INCIDENT_PERSONS_NOTIFIED, actor=actor_for(by), target=locked)
    return locked


def _conditions(change: Change[Incident]) -> str | None:
    """What APPI Art. 26 and Enforcement Rules Arts. 7-8 ask before each move."""
    incident, to = change.obj, change.to
    assessment = assess(incident)
    required = assessment.report_required
    if (
        change.previous == State.ASSESSING
        and to == State.CLOSED
        and assessment.key_store_question_open
    ):
        return _(
            "暗号化して保管している類型（%(names)s）が対象です。鍵保管庫への影響を確認し、"
            "評価に回答してから終結してください（規則第7条）。"
        ) % {"names": "、".join(assessment.encrypted)}
    if to in {State.PRELIMINARY_REPORTED, State.FINAL_REPORTED} and not required:
        return _(
            "この事案は個人情報保護委員会への報告の対象ではありません（規則第7条、"
            "番号法第29条の4）。"
        )
    if change.previous == State.ASSESSING and to == State.CLOSED and required:
        if not assessment.appi_report_required:
            return _(
                "特定個人情報の報告対象の事案です。委員会への報告（番号法第29条の4第1項）を"
                "済ませてから終結してください。"
            )
        return _(
            "報告対象の事案です。委員会への報告（法第26条第1項）を済ませてから終結してください。"
        )
    if to == State.FINAL_REPORTED and (empty := missing(incident, FINAL_REPORT_FIELDS)):
        return _("確報には次の事項が必要です（規則第8条第1項）：%(items)s") % {
            "items": "、".join(empty)
        }
    if (
        to == State.CLOSED
        and required
        and not (incident.persons_notified_at or incident.alternative_measure)
    ):
        if not assessment.appi_report_required:
            return _(
                "本人への通知（又はこれに代わる措置）を記録してから終結してください"
                "（番号法第29条の4第2項）。"
            )
        return _(
            "本人への通知（又はこれに代わる措置）を記録してから終結してください（法第26条第2項）。"
        )
    return None


def _record_step(change: Change[Incident]) -> None:
    """The report dates, and the step on the incident's timeline."""
    incident = change.obj
    if change.to == State.PRELIMINARY_REPORTED:
        incident.preliminary_reported_at = change.now
    if change.to == State.FINAL_REPORTED:
        incident.final_reported_at = change.now
    _step(
        incident,
        by=change.by,
        kind=IncidentStep.Kind.TRANSITION,
        at=change.now,
        note=change.values.get("note", ""),
        from_state=change.previous,
        to_state=change.to,
    )


def _move(label) -> Move:
    return Move(frozenset({Role.PRIVACY_OFFICER}), label, takes=frozenset({"note", "now"}))


TRANSITIONS: dict[str, dict[str, Move]] = {
    State.REPORTED: {State.ASSESSING: _move(gettext_lazy("評価を開始する"))},
    # A reportable incident goes to the PPC; one that is not is closed after assessment.
    # The 速報 may be skipped when everything is known at once and the 確報 goes first.
    State.ASSESSING: {
        State.PRELIMINARY_REPORTED: _move(gettext_lazy("委員会へ速報した")),
        State.FINAL_REPORTED: _move(gettext_lazy("委員会へ確報した")),
        State.CLOSED: _move(gettext_lazy("終結する")),
    },
    State.PRELIMINARY_REPORTED: {State.FINAL_REPORTED: _move(gettext_lazy("委員会へ確報した"))},
    State.FINAL_REPORTED: {State.CLOSED: _move(gettext_lazy("終結する"))},
    State.CLOSED: {},
}
OPEN_STATES = frozenset(TRANSITIONS) - {State.CLOSED}

INCIDENTS = Workflow(
    model=Incident,
    table=TRANSITIONS,
    action=Action.SAFEGUARDS_INCIDENT_MOVED,
    has_role=has_role,
    not_allowed=OFFICER_ONLY,
    guards=(_conditions,),
    effects=(
        _record_step,
        lambda change: _alert_officers(change.obj, _("漏えい等事案の状態が変わりました")),
    ),
)


def open_incidents():
    return Incident.objects.filter(state__in=OPEN_STATES)
