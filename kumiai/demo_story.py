"""The demo's working day: requests and complaints in every state of their workflows,
incidents, self-inspections, 監事 audits, a second training and mail in the outbox.

Everything is made the way staff make it, through the apps' services and `transition` (so
every letter, mail and audit event is there too), by the demo's named staff: `stage` takes
them by role. It runs once: when a request exists already, it does nothing.
"""

import contextlib
import datetime
import io
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.trail import PUBLIC
from complaints import services as complaint_services
from complaints.models import Complaint
from core import deadlines, outbox, pdf
from core.models import OutboxMail
from core.workflow import transition
from disclosure import services as request_services
from disclosure.models import DecisionItem, IdentityDocument, Kind, Request
from purposes.models import Category
from records import gate
from records.models import Member, Record
from retention.due import due_condition
from safeguards import approvals, incidents
from safeguards.models import (
    AuditFinding,
    AuditPlan,
    ChecklistItem,
    Incident,
    Inspection,
    InspectionResult,
    TrainingCourse,
    TrainingSession,
)
from safeguards.training import record_attendance

State = Request.State


@dataclass(frozen=True)
class Staff:
    officer: User
    handler: User  # requests and complaints, health data
    desk: User  # the complaints desk
    auditor: User
    everyone: tuple[User, ...]


@dataclass(frozen=True)
class Staged:
    requests: int
    complaints: int


def stage(staff: Staff, *, base_url: str, now: datetime.datetime | None = None) -> Staged:
    """Make the working day once; (0, 0) when it is there already. `base_url` is the site's
    address, for the status links in the mail."""
    if Request.objects.exists() or not Member.objects.filter(relationship="self").exists():
        return Staged(0, 0)
    now = now or timezone.now()
    with transaction.atomic(), gate.ledger():
        filed = _requests(staff, base_url=base_url)
        complaints = _complaints(staff, now=now, base_url=base_url)
        _incidents(staff, now=now)
        _inspections(staff, today=timezone.localdate(now))
        _audits(staff, today=timezone.localdate(now))
        _training(staff, today=timezone.localdate(now))
    _outbox()  # the filings' mail is queued once they commit
    return Staged(filed, complaints)


# Requests: one in each state


def _identity_document(member: Member) -> IdentityDocument:
    """A stand-in for a scanned 運転免許証: a PDF that says it is one, with the name on it."""
    content = pdf.render(
        "運転免許証（デモ用の見本）",
        [
            pdf.table(
                [
                    ("氏名", member.name),
                    ("生年月日", member.birth_date.isoformat()),
                    ("住所", "東京都港区芝公園1-1-1"),
                ]
            ),
            pdf.paragraph("これはデモ用の見本です。本物の本人確認書類ではありません。"),
        ],
    )
    upload = SimpleUploadedFile("運転免許証.pdf", content, content_type="application/pdf")
    return request_services.document_store(upload=upload, role=IdentityDocument.Role.IDENTITY)


def _file(member: Member, kinds: list[str], *, base_url: str, categories=(), **extra) -> Request:
    fields = {
        "filer": Request.Filer.SELF,
        **dict.fromkeys(
            ("agent_name", "agent_name_kana", "agent_relationship", "agent_address"), ""
        ),
        "agent_phone": "",
        "member_symbol": member.symbol,
        "member_number": member.number,
        "member_branch": member.branch,
        "name": member.name,
        "name_kana": member.name_kana,
        "birth_date": member.birth_date,
        "postal_code": "105-0011",
        "address": "東京都港区芝公園1-1-1",
        "phone": "03-1234-5678",
        "email": f"member{member.pk}@example.jp",
        "kinds": kinds,
        "include_provision_records": False,
        "period_from": None,
        "period_until": None,
        "method": Request.Method.DOWNLOAD if Kind.DISCLOSURE in kinds else "",
        "grounds": "",
        "corrections": [],
        **extra,
    }
    request, _token = request_services.request_file(
        fields=fields,
        categories=list(categories),
        documents=[_identity_document(member)],
        channel=Request.Channel.WEB,
        by=PUBLIC,
        base_url=base_url,
    )
    return request


def _kept_by_law(category: Category) -> Member | None:
    """The first insured person one of whose records of `category` the law keeps today (the
    refused erasure cites that law), or None. Which member holds one is the random data's and
    the day's doing: with the demo's 300 members, the one the story took in turn held no
    特定健診 record at all, and `bin/demo` stopped on the refusal. One query, by the disposal
    schedule's rule (`retention.due.due_condition`: `Category.kept_until`, which the decision
    checks, as bounds); ids and dates only, unscoped as the schedule's are: no person reads
    them."""
    kept = Record.objects.filter(category=category, member=OuterRef("pk"))
    if (due := due_condition(category, deadlines.today())) is not None:
        kept = kept.exclude(due)
    return Member.objects.filter(Exists(kept), relationship="self").order_by("pk").first()


def _requests(staff: Staff, *, base_url: str) -> int:
    officer, handler = staff.officer, staff.handler
    members = list(Member.objects.filter(relationship="self").order_by("pk")[:11])
    checks = [Category.objects.get(code="health-checks")]
    made = []

    def filed(i: int, kinds=(Kind.DISCLOSURE,), categories=checks, member=None, **extra) -> Request:
        request = _file(
            member or members[i % len(members)],
            list(kinds),
            base_url=base_url,
            categories=categories,
            **extra,
        )
        made.append(request)
        return request

    def matched(i: int, member=None, **kw) -> Request:
        member = member or members[i % len(members)]
        request = filed(i, member=member, **kw)
        transition(request, State.IDENTITY_CHECK, by=handler)
        return request_services.request_match(request=request, member=member, by=handler)

    def decided(i: int, **kw) -> Request:
        request = matched(i, **kw)
        return request_services.request_decide(
            request=request,
            reasons="",
            by=officer,
            items=[{"kind": Kind.DISCLOSURE, "granted": True, "category": checks[0]}],
        )

    def released(request: Request) -> Request:
        # Four eyes (safeguards.approvals): the handler asks for the release of a package
        # holding 要配慮個人情報, the officer approves it.
        approval = approvals.ask(
            kind=approvals.Kind.PACKAGE_RELEASE,
            change=approvals.permit_change(request),
            description=f"請求 {request.receipt_number}：要配慮個人情報を含む開示データの交付",
            by=handler,
        )
        approvals.approve(approval=approval, by=officer)
        return request

    filed(0)  # 受付: waiting for someone to start the identity check
    transition(filed(1), State.IDENTITY_CHECK, by=handler)  # 本人確認中
    waiting = filed(2, kinds=(Kind.PURPOSE_NOTICE,), categories=())
    transition(waiting, State.IDENTITY_CHECK, by=handler)
    transition(
        waiting,
        State.AWAITING_DOCUMENTS,
        by=handler,
        state_note="本人確認書類の住所が請求書の住所と異なります。住民票の写しをお送りください。",
    )
    # 審査中, with receipts in scope: the medical institutions are to be consulted first.
    matched(3, categories=[*checks, Category.objects.get(code="receipts")])
    matched(
        4,
        kinds=(Kind.CORRECTION,),
        categories=(),
        corrections=[{"item": "住所", "current": "東京都港区", "requested": "東京都千代田区"}],
    )
    decided(5)  # 決定済み: the decision letter sent, the package not yet made
    request_services.request_carry_out(request=released(decided(6)), by=handler)  # 実施済み
    done = released(decided(7))
    request_services.request_carry_out(request=done, by=handler)
    request_services.request_close(request=done, by=handler)  # 完了
    if kept := _kept_by_law(checks[0]):  # 決定済み: an erasure refused, the law keeping it
        refused = matched(
            8, member=kept, kinds=(Kind.ERASURE,), categories=checks, grounds="不要になったため"
        )
        request_services.request_decide(
            request=refused,
            reasons="",
            by=officer,
            items=[
                {
                    "kind": Kind.ERASURE,
                    "granted": False,
                    "case": DecisionItem.Case.NO_LONGER_NEEDED,
                    # The register's retention law for the category (基準第10条), as the page
                    # offers.
                    "ground": DecisionItem.Ground.RETENTION,
                    "retention_law": checks[0].retention_basis,
                    "reason": "特定健康診査の記録は、翌年度から5年間保存することとされています。",
                }
            ],
        )
    transition(filed(9), State.WITHDRAWN, by=handler, state_note="電話で取下げの申出あり")
    rejected = filed(10)
    transition(rejected, State.IDENTITY_CHECK, by=handler)
    transition(
        rejected,
        State.REJECTED,
        by=officer,
        state_note="記号・番号・生年月日の一致する加入者がなく、追加書類も届きませんでした。",
    )
    return len(made)


# Complaints: one in each state


def _complaints(staff: Staff, *, now: datetime.datetime, base_url: str) -> int:
    desk = staff.desk
    C = Complaint.State

    def filed(what: str, subject=Complaint.Subject.HANDLING, **fields) -> Complaint:
        complaint = Complaint(
            subject=subject,
            what_happened=what,
            name=fields.pop("name", "山本 恵子"),
            email=fields.pop("email", "keiko@example.jp"),
            **fields,
        )
        filed, _token = complaint_services.complaint_file(
            complaint=complaint,
            channel=Complaint.Channel.WEB,
            received_at=now,
            by=PUBLIC,
            base_url=base_url,
        )
        return filed

    def moved(complaint: Complaint, *states: str, by=desk) -> Complaint:
        for state in states:
            if state == C.RESPONDED and not complaint.response:
                complaint.response = (
                    "ご指摘の件を調査し、担当者に指導しました。ご迷惑をおかけしました。"
                )
                complaint_services.complaint_update(complaint=complaint, by=by, fields=["response"])
            if state == C.CLOSED and not complaint.cause:
                complaint.cause = Complaint.Cause.EXPLANATION
                complaint_services.complaint_update(complaint=complaint, by=by, fields=["cause"])
            transition(complaint, state, by=by)
        return complaint

    filed("健診結果の通知が、旧住所に送られていました。")  # 受付
    moved(filed("電話で問い合わせたとき、担当者の説明が分かりにくかった。"), C.ACKNOWLEDGED)
    moved(
        filed("家族の医療費通知が私宛に届きました。", subject=Complaint.Subject.LEAK),
        C.ACKNOWLEDGED,
        C.INVESTIGATING,
    )
    moved(
        filed("開示請求の回答が期限を過ぎても届きません。", subject=Complaint.Subject.REQUEST),
        C.ESCALATED,
    )
    moved(filed("窓口で保険証の番号を大きな声で読み上げられた。"), C.ACKNOWLEDGED, C.RESPONDED)
    moved(filed("被扶養者の書類の案内が不親切だった。"), C.ACKNOWLEDGED, C.RESPONDED, C.CLOSED)
    moved(filed("（取下げ）勘違いでした。"), C.WITHDRAWN)
    return Complaint.objects.count()


# Incidents: one being assessed, one reported to the PPC


def _incidents(staff: Staff, *, now: datetime.datetime) -> None:
    officer = staff.officer
    assessing = incidents.report_incident(
        incident=Incident(
            kind=Incident.Kind.LOSS,
            summary="健診結果の入った封筒1通が所在不明（郵送前の確認で判明）。",
            discovered_at=now - datetime.timedelta(hours=5),
        ),
        by=staff.handler,
    )
    transition(assessing, Incident.State.ASSESSING, by=officer)
    assessing.persons_affected = 1
    incidents.record_assessment(incident=assessing, by=officer, fields=["persons_affected"])

    reported = incidents.report_incident(
        incident=Incident(
            kind=Incident.Kind.LEAK,
            summary="医療費通知を別の加入者に誤送付（レセプト情報を含む）。",
            discovered_at=now - datetime.timedelta(days=2),
        ),
        by=staff.desk,
    )
    reported.categories.set([Category.objects.get(code="receipts")])
    transition(reported, Incident.State.ASSESSING, by=officer)
    reported.persons_affected = 1
    reported.data_items = "氏名、記号・番号、診療年月、医療機関名"
    reported.cause = "封入時の確認漏れ"
    incidents.record_assessment(
        incident=reported, by=officer, fields=["persons_affected", "data_items", "cause"]
    )
    transition(reported, Incident.State.PRELIMINARY_REPORTED, by=officer, note="電子申請で速報")


# Self-inspections and 監事 audits


def _inspections(staff: Staff, *, today: datetime.date) -> None:
    if not ChecklistItem.objects.filter(active=True).exists():
        for area, text in (
            ("organisational", "個人情報取扱規程が最新の法令に合っている"),
            ("human", "全職員が年次研修を受講している"),
            ("physical", "書類保管庫が施錠されている"),
            ("technical", "退職者のアカウントが無効になっている"),
        ):
            ChecklistItem.objects.create(area=area, text=text)
    Inspection.objects.create(
        title="2026年度 下期 自己点検", scheduled_on=today + datetime.timedelta(days=30)
    )
    done = Inspection.objects.create(
        title="2026年度 上期 自己点検", scheduled_on=today - datetime.timedelta(days=60)
    )
    transition(done, Inspection.Status.IN_PROGRESS, by=staff.officer)
    done.results.update(result=InspectionResult.Result.COMPLIANT)
    transition(done, Inspection.Status.SIGNED_OFF, by=staff.officer)


def _audits(staff: Staff, *, today: datetime.date) -> None:
    auditor = staff.auditor.get_full_name()
    AuditPlan.objects.create(
        title="2026年度 個人情報保護 監事監査（下期）",
        auditor=auditor,
        scope="開示等の請求への対応、アクセスログの確認",
        planned_on=today + datetime.timedelta(days=45),
    )
    reported = AuditPlan.objects.create(
        title="2026年度 個人情報保護 監事監査（上期）",
        auditor=auditor,
        scope="苦情処理、漏えい等事案の対応、研修の受講状況",
        planned_on=today - datetime.timedelta(days=40),
    )
    transition(reported, AuditPlan.Status.FIELDWORK, by=staff.officer)
    AuditFinding.objects.create(
        audit=reported, finding="苦情の原因分類が記録されていない案件があった。"
    )
    transition(reported, AuditPlan.Status.REPORTED, by=staff.officer)


def _training(staff: Staff, *, today: datetime.date) -> None:
    course, _ = TrainingCourse.objects.get_or_create(title="漏えい等事案の初動対応研修")
    session, _ = TrainingSession.objects.get_or_create(
        course=course, held_on=today - datetime.timedelta(days=20)
    )
    for user in staff.everyone[:-1]:  # the system administrator is still to attend
        record_attendance(session=session, user=user, score=85, by=staff.officer)


# Mail


def _outbox() -> None:
    """One mail sent and one that could not be, for the outbox page; the worker of
    `bin/demo` sends the others (to its console)."""
    pending = OutboxMail.objects.filter(state=OutboxMail.State.PENDING).order_by("pk")
    if first := pending.first():
        with contextlib.redirect_stdout(io.StringIO()):  # the dev console backend prints it
            outbox.deliver.call(first.pk)
    if mail := pending.first():
        OutboxMail.objects.filter(pk=mail.pk).update(
            state=OutboxMail.State.FAILED,
            attempts=12,
            last_error="SMTPRecipientsRefused",
            next_attempt_at=None,
        )
