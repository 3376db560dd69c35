"""The trail's vocabulary: every action an event may name, and who may act.

One grammar, `app.object.verb` (`disclosure.request.moved`): the app that writes the event,
the kind of thing it concerns, and what happened to it, in the past tense. Each action has a
Japanese label, which the reports and the admin show in place of the code.

`audit.trail.append` refuses an action that is not declared here. Trails written before this
vocabulary keep the names they were written with (an event is never rewritten: its hash
covers the name); `LEGACY` maps each of those names to the action it means, so that a reader
filtering by an action finds the old events too (`stored_names`), and an old event shows the
same label as a new one (`label`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    USER = "user", _("職員")
    # A member or an agent on a public form, not signed in.
    PUBLIC = "public", _("本人・代理人（公開窓口）")
    # A management command, a scheduled job, matching: no person acts.
    SYSTEM = "system", _("システム")


class Action(models.TextChoices):
    # audit
    AUDIT_CHECKPOINT_WRITTEN = "audit.checkpoint.written", _("監査証跡のチェックポイント記録")
    AUDIT_ROLE_GRANTED = "audit.role.granted", _("アプリ用データベースロールの権限設定")
    AUDIT_RESTORE_DRILLED = "audit.restore.drilled", _("バックアップの復元訓練")
    AUDIT_LEDGER_REPLAYED = "audit.ledger.replayed", _("消去台帳の再適用")
    AUDIT_ERASURE_REPLAYED = "audit.erasure.replayed", _("消去の再適用（復元後）")

    # core: the outbox (core.outbox)
    CORE_MAIL_FAILED = "core.mail.failed", _("メールの送信失敗（再試行の上限）")
    CORE_MAIL_RESENT = "core.mail.resent", _("送信できなかったメールの再送")

    # complaints
    COMPLAINTS_COMPLAINT_RECEIVED = "complaints.complaint.received", _("苦情の受付")
    COMPLAINTS_COMPLAINT_CHANGED = "complaints.complaint.changed", _("苦情の記載の変更")
    COMPLAINTS_COMPLAINT_MOVED = "complaints.complaint.moved", _("苦情の状態の変更")
    COMPLAINTS_FILING_REDUCED = "complaints.filing.reduced", _("苦情の申出者情報の消去")
    COMPLAINTS_COMPLAINT_REDACTED = (
        "complaints.complaint.redacted",
        _("苦情の記載からの消去（消去した加入者の氏名等）"),
    )

    # disclosure
    DISCLOSURE_REQUEST_FILED = "disclosure.request.filed", _("開示等請求の受付")
    DISCLOSURE_REQUEST_MOVED = "disclosure.request.moved", _("開示等請求の状態の変更")
    DISCLOSURE_REQUEST_EXTENDED = "disclosure.request.extended", _("開示等請求の期限の延長")
    DISCLOSURE_REQUEST_CONSULTED = "disclosure.request.consulted", _("開示等請求の照会記録")
    DISCLOSURE_FEE_PAID = "disclosure.fee.paid", _("手数料の納付")
    DISCLOSURE_DOCUMENT_PURGED = "disclosure.document.purged", _("本人確認書類の廃棄")
    DISCLOSURE_FILES_PURGED = "disclosure.files.purged", _("取り消された処理が残したファイルの削除")
    DISCLOSURE_DOCUMENT_READ = "disclosure.document.read", _("本人確認書類の閲覧（職員）")
    DISCLOSURE_FILING_REDUCED = "disclosure.filing.reduced", _("請求者情報の消去")
    DISCLOSURE_REQUEST_REDACTED = (
        "disclosure.request.redacted",
        _("開示等請求の記載からの消去（消去した加入者の氏名等）"),
    )
    DISCLOSURE_ERASURE_CONFIRMED = "disclosure.erasure.confirmed", _("消去の照合候補の確認")
    DISCLOSURE_ERASURE_SWEPT = (
        "disclosure.erasure.swept",
        _("消去に伴う写しの削除（管理画面の履歴・セッション・メール・理由の記載）"),
    )
    DISCLOSURE_LETTER_READ = "disclosure.letter.read", _("通知書の閲覧")
    DISCLOSURE_MAIL_WITHHELD = (
        "disclosure.mail.withheld",
        _("保護措置のある加入者について代理人へのメールを送らなかった"),
    )
    DISCLOSURE_PACKAGE_BUILT = "disclosure.package.built", _("開示データの作成")
    DISCLOSURE_PACKAGE_DOWNLOADED = "disclosure.package.downloaded", _("開示データの受取り")
    DISCLOSURE_PACKAGE_POSTED = (
        "disclosure.package.posted",
        _("開示データの郵送（本人限定受取郵便）"),
    )
    DISCLOSURE_KINDPOLICY_CREATED = (
        "disclosure.kindpolicy.created",
        _("請求の種類ごとの期限・手数料の登録"),
    )
    DISCLOSURE_KINDPOLICY_CHANGED = (
        "disclosure.kindpolicy.changed",
        _("請求の種類ごとの期限・手数料の変更"),
    )
    DISCLOSURE_KINDPOLICY_DELETED = (
        "disclosure.kindpolicy.deleted",
        _("請求の種類ごとの期限・手数料の削除"),
    )

    # purposes
    PURPOSES_REGISTER_LOADED = "purposes.register.loaded", _("利用目的の登録簿の読込み")
    PURPOSES_NOTICE_PUBLISHED = "purposes.notice.published", _("公表事項の公表")
    PURPOSES_CATEGORY_CREATED = "purposes.category.created", _("個人情報の類型の登録")
    PURPOSES_CATEGORY_CHANGED = "purposes.category.changed", _("個人情報の類型の変更")
    PURPOSES_CATEGORY_DELETED = "purposes.category.deleted", _("個人情報の類型の削除")
    PURPOSES_PERMISSION_CREATED = "purposes.permission.created", _("類型ごとの利用目的の登録")
    PURPOSES_PERMISSION_CHANGED = "purposes.permission.changed", _("類型ごとの利用目的の変更")
    PURPOSES_PERMISSION_DELETED = "purposes.permission.deleted", _("類型ごとの利用目的の削除")
    PURPOSES_PURPOSE_CREATED = "purposes.purpose.created", _("利用目的の登録")
    PURPOSES_PURPOSE_CHANGED = "purposes.purpose.changed", _("利用目的の変更")
    PURPOSES_PURPOSE_DELETED = "purposes.purpose.deleted", _("利用目的の削除")
    PURPOSES_NOTICE_CREATED = "purposes.notice.created", _("公表事項の登録")
    PURPOSES_NOTICE_CHANGED = "purposes.notice.changed", _("公表事項の変更")
    PURPOSES_NOTICE_DELETED = "purposes.notice.deleted", _("公表事項の削除")
    PURPOSES_NOTE_CREATED = "purposes.note.created", _("注記の登録")
    PURPOSES_NOTE_CHANGED = "purposes.note.changed", _("注記の変更")
    PURPOSES_NOTE_DELETED = "purposes.note.deleted", _("注記の削除")
    PURPOSES_EXEMPTION_CREATED = "purposes.exemption.created", _("通知・公表の例外の登録")
    PURPOSES_EXEMPTION_CHANGED = "purposes.exemption.changed", _("通知・公表の例外の変更")
    PURPOSES_EXEMPTION_DELETED = "purposes.exemption.deleted", _("通知・公表の例外の削除")
    PURPOSES_SAFEGUARD_CREATED = "purposes.safeguard.created", _("安全管理措置（公表事項）の登録")
    PURPOSES_SAFEGUARD_CHANGED = "purposes.safeguard.changed", _("安全管理措置（公表事項）の変更")
    PURPOSES_SAFEGUARD_DELETED = "purposes.safeguard.deleted", _("安全管理措置（公表事項）の削除")
    PURPOSES_PROCESSOR_CREATED = "purposes.processor.created", _("委託先の登録")
    PURPOSES_PROCESSOR_CHANGED = "purposes.processor.changed", _("委託先の変更")
    PURPOSES_PROCESSOR_DELETED = "purposes.processor.deleted", _("委託先の削除")
    PURPOSES_PROCESSORAUDIT_CREATED = "purposes.processoraudit.created", _("委託先の監査の登録")
    PURPOSES_PROCESSORAUDIT_CHANGED = "purposes.processoraudit.changed", _("委託先の監査の変更")
    PURPOSES_PROCESSORAUDIT_DELETED = "purposes.processoraudit.deleted", _("委託先の監査の削除")
    PURPOSES_JOINTUSE_CREATED = "purposes.jointuse.created", _("共同利用の登録")
    PURPOSES_JOINTUSE_CHANGED = "purposes.jointuse.changed", _("共同利用の変更")
    PURPOSES_JOINTUSE_PUBLISHED = "purposes.jointuse.published", _("共同利用の公表")
    PURPOSES_JOINTUSE_DELETED = "purposes.jointuse.deleted", _("共同利用の削除")
    PURPOSES_SOCIETYPROFILE_CREATED = "purposes.societyprofile.created", _("組合の基本情報の登録")
    PURPOSES_SOCIETYPROFILE_CHANGED = "purposes.societyprofile.changed", _("組合の基本情報の変更")
    PURPOSES_SOCIETYPROFILE_DELETED = "purposes.societyprofile.deleted", _("組合の基本情報の削除")

    # records
    RECORDS_ACCESS_READ = "records.access.read", _("個人データの閲覧")
    RECORDS_ACCESS_REFUSED = "records.access.refused", _("個人データの閲覧の拒否")
    RECORDS_ACCESS_MATCHED = "records.access.matched", _("加入者の照合")
    RECORDS_MEMBER_CREATED = "records.member.created", _("加入者の登録")
    RECORDS_MEMBER_CHANGED = "records.member.changed", _("加入者の変更")
    RECORDS_MEMBER_ERASED = "records.member.erased", _("加入者の消去")
    RECORDS_MEMBER_IMPORTED = "records.member.imported", _("加入者の一括取込み")
    RECORDS_RECORD_CREATED = "records.record.created", _("記録の登録")
    RECORDS_RECORD_CHANGED = "records.record.changed", _("記録の変更")
    RECORDS_RECORD_DELETED = "records.record.deleted", _("記録の削除")
    RECORDS_RECORD_IMPORTED = "records.record.imported", _("記録の一括取込み")
    RECORDS_RESTRICTION_ADDED = "records.restriction.added", _("利用停止等の登録")
    RECORDS_PROTECTION_SET = "records.protection.set", _("保護措置（DV等）の登録")
    RECORDS_PROTECTION_LIFTED = "records.protection.lifted", _("保護措置（DV等）の解除")
    RECORDS_PROVISION_REGISTERED = "records.provision.registered", _("第三者提供の記録")
    RECORDS_CONSENT_RECORDED = "records.consent.recorded", _("本人の同意等の登録")
    RECORDS_CONSENT_WITHDRAWN = "records.consent.withdrawn", _("本人の同意等の撤回")
    RECORDS_DEMO_POPULATED = "records.demo.populated", _("デモデータの投入")
    RECORDS_KEYS_REWRAPPED = "records.keys.rewrapped", _("データ鍵の包み直し（鍵暗号化鍵の更新）")
    RECORDS_RECORDS_SEALED = "records.records.sealed", _("記録の暗号化（平文で保管していた記録）")
    RECORDS_TALLY_RECOUNTED = "records.tally.recounted", _("記録の件数の数え直し")
    RECORDS_KEY_REPLACED = (
        "records.key.replaced",
        _("データ鍵の取替え（一部消去の後、記録を新しい鍵で暗号化し直し）"),
    )
    # A re-key after a partial erasure that could not be done at once (records.rekeying): the
    # first failure, then the completion by the retries, with how many tries it took.
    RECORDS_REKEY_FAILED = (
        "records.rekey.failed",
        _("データ鍵の取替えの失敗（一部消去の後。自動で再試行）"),
    )
    RECORDS_REKEY_COMPLETED = (
        "records.rekey.completed",
        _("保留していたデータ鍵の取替えの完了"),
    )
    # The same for the destruction of the data key of a member erased whole.
    RECORDS_KEYDESTRUCTION_FAILED = (
        "records.keydestruction.failed",
        _("データ鍵の破棄の失敗（加入者の消去の後。自動で再試行）"),
    )
    RECORDS_KEYDESTRUCTION_COMPLETED = (
        "records.keydestruction.completed",
        _("保留していたデータ鍵の破棄の完了"),
    )

    # reports
    REPORTS_REPORT_VIEWED = "reports.report.viewed", _("監査レポートの閲覧")
    REPORTS_TRAIL_VERIFIED = "reports.trail.verified", _("監査証跡の検証")

    # retention: disposal runs (APPI Art. 22)
    RETENTION_DISPOSALRUN_OPENED = "retention.disposalrun.opened", _("廃棄の実施の作成")
    RETENTION_DISPOSALRUN_MOVED = "retention.disposalrun.moved", _("廃棄の実施の状態の変更")

    # safeguards: the workflows and their steps
    SAFEGUARDS_INCIDENT_REPORTED = "safeguards.incident.reported", _("漏えい等事案の報告")
    SAFEGUARDS_INCIDENT_ASSESSED = "safeguards.incident.assessed", _("漏えい等事案の評価")
    SAFEGUARDS_INCIDENT_PERSONS_NOTIFIED = (
        "safeguards.incident.persons_notified",
        _("漏えい等事案の本人への通知"),
    )
    SAFEGUARDS_INCIDENT_MOVED = "safeguards.incident.moved", _("漏えい等事案の状態の変更")
    SAFEGUARDS_INSPECTION_STARTED = "safeguards.inspection.started", _("自己点検の開始")
    SAFEGUARDS_INSPECTION_SIGNED_OFF = "safeguards.inspection.signed_off", _("自己点検の確認")
    SAFEGUARDS_AUDITPLAN_MOVED = "safeguards.auditplan.moved", _("監事監査の状態の変更")
    SAFEGUARDS_CORRECTIVEACTION_DONE = "safeguards.correctiveaction.done", _("是正措置の完了")
    SAFEGUARDS_CORRECTIVEACTION_CANCELLED = (
        "safeguards.correctiveaction.cancelled",
        _("是正措置の取消し"),
    )
    # safeguards: single steps
    SAFEGUARDS_SCOPE_GRANTED = "safeguards.scope.granted", _("担当範囲の割当て")
    SAFEGUARDS_SCOPE_WITHDRAWN = "safeguards.scope.withdrawn", _("担当範囲の解除")
    # Administration (safeguards.accounts, safeguards.approvals, safeguards.tokens)
    SAFEGUARDS_USER_CREATED = "safeguards.user.created", _("職員アカウントの作成")
    SAFEGUARDS_USER_CHANGED = "safeguards.user.changed", _("職員アカウントの変更")
    SAFEGUARDS_USER_DELETED = "safeguards.user.deleted", _("職員アカウントの削除")
    SAFEGUARDS_GROUP_CREATED = "safeguards.group.created", _("グループ（役割）の作成")
    SAFEGUARDS_GROUP_CHANGED = "safeguards.group.changed", _("グループ（役割）の変更")
    SAFEGUARDS_GROUP_DELETED = "safeguards.group.deleted", _("グループ（役割）の削除")
    SAFEGUARDS_MEMBERSHIP_ADDED = "safeguards.membership.added", _("グループ（役割）への追加")
    SAFEGUARDS_MEMBERSHIP_REMOVED = "safeguards.membership.removed", _("グループ（役割）からの除外")
    SAFEGUARDS_USERPERMISSION_ADDED = "safeguards.userpermission.added", _("職員への権限の付与")
    SAFEGUARDS_USERPERMISSION_REMOVED = (
        "safeguards.userpermission.removed",
        _("職員からの権限の削除"),
    )
    SAFEGUARDS_GROUPPERMISSION_ADDED = (
        "safeguards.grouppermission.added",
        _("グループ（役割）への権限の付与"),
    )
    SAFEGUARDS_GROUPPERMISSION_REMOVED = (
        "safeguards.grouppermission.removed",
        _("グループ（役割）からの権限の削除"),
    )
    SAFEGUARDS_TOKEN_CREATED = "safeguards.token.created", _("APIトークンの発行")
    SAFEGUARDS_TOKEN_REVOKED = "safeguards.token.revoked", _("APIトークンの失効")
    SAFEGUARDS_APPROVAL_REQUESTED = "safeguards.approval.requested", _("二者確認の承認依頼")
    SAFEGUARDS_APPROVAL_APPROVED = "safeguards.approval.approved", _("二者確認の承認")
    SAFEGUARDS_APPROVAL_REJECTED = "safeguards.approval.rejected", _("二者確認の却下")
    SAFEGUARDS_OTP_ENROLLED = "safeguards.otp.enrolled", _("ワンタイムパスワードの登録")
    SAFEGUARDS_AREAENTRY_ENTERED = "safeguards.areaentry.entered", _("管理区域への入室")
    SAFEGUARDS_AREAENTRY_LEFT = "safeguards.areaentry.left", _("管理区域からの退室")
    SAFEGUARDS_AREAENTRY_CHANGED = "safeguards.areaentry.changed", _("入退室記録の変更")
    SAFEGUARDS_DEVICECHECKOUT_TAKEN_OUT = (
        "safeguards.devicecheckout.taken_out",
        _("機器・媒体の持出し"),
    )
    SAFEGUARDS_DEVICECHECKOUT_RETURNED = "safeguards.devicecheckout.returned", _("機器・媒体の返却")
    SAFEGUARDS_DEVICECHECKOUT_CHANGED = "safeguards.devicecheckout.changed", _("持出し記録の変更")
    # safeguards: the registers edited in the admin (core.audited)
    SAFEGUARDS_OFFICERAPPOINTMENT_CREATED = (
        "safeguards.officerappointment.created",
        _("責任者・代理者の登録"),
    )
    SAFEGUARDS_OFFICERAPPOINTMENT_CHANGED = (
        "safeguards.officerappointment.changed",
        _("責任者・代理者の変更"),
    )
    SAFEGUARDS_OFFICERAPPOINTMENT_DELETED = (
        "safeguards.officerappointment.deleted",
        _("責任者・代理者の削除"),
    )
    SAFEGUARDS_CHECKLISTITEM_CREATED = "safeguards.checklistitem.created", _("自己点検項目の登録")
    SAFEGUARDS_CHECKLISTITEM_CHANGED = "safeguards.checklistitem.changed", _("自己点検項目の変更")
    SAFEGUARDS_CHECKLISTITEM_DELETED = "safeguards.checklistitem.deleted", _("自己点検項目の削除")
    SAFEGUARDS_INSPECTION_CREATED = "safeguards.inspection.created", _("自己点検の登録")
    SAFEGUARDS_INSPECTION_CHANGED = "safeguards.inspection.changed", _("自己点検の変更")
    SAFEGUARDS_INSPECTION_DELETED = "safeguards.inspection.deleted", _("自己点検の削除")
    SAFEGUARDS_INSPECTIONRESULT_CREATED = (
        "safeguards.inspectionresult.created",
        _("点検結果の登録"),
    )
    SAFEGUARDS_INSPECTIONRESULT_CHANGED = (
        "safeguards.inspectionresult.changed",
        _("点検結果の変更"),
    )
    SAFEGUARDS_INSPECTIONRESULT_DELETED = (
        "safeguards.inspectionresult.deleted",
        _("点検結果の削除"),
    )
    SAFEGUARDS_AUDITPLAN_CREATED = "safeguards.auditplan.created", _("監事監査の登録")
    SAFEGUARDS_AUDITPLAN_CHANGED = "safeguards.auditplan.changed", _("監事監査の変更")
    SAFEGUARDS_AUDITPLAN_DELETED = "safeguards.auditplan.deleted", _("監事監査の削除")
    SAFEGUARDS_AUDITFINDING_CREATED = "safeguards.auditfinding.created", _("監査の指摘事項の登録")
    SAFEGUARDS_AUDITFINDING_CHANGED = "safeguards.auditfinding.changed", _("監査の指摘事項の変更")
    SAFEGUARDS_AUDITFINDING_DELETED = "safeguards.auditfinding.deleted", _("監査の指摘事項の削除")
    SAFEGUARDS_CORRECTIVEACTION_CREATED = (
        "safeguards.correctiveaction.created",
        _("是正措置の登録"),
    )
    SAFEGUARDS_CORRECTIVEACTION_CHANGED = (
        "safeguards.correctiveaction.changed",
        _("是正措置の変更"),
    )
    SAFEGUARDS_CORRECTIVEACTION_DELETED = (
        "safeguards.correctiveaction.deleted",
        _("是正措置の削除"),
    )
    SAFEGUARDS_PLEDGE_CREATED = "safeguards.pledge.created", _("秘密保持誓約の登録")
    SAFEGUARDS_PLEDGE_CHANGED = "safeguards.pledge.changed", _("秘密保持誓約の変更")
    SAFEGUARDS_PLEDGE_DELETED = "safeguards.pledge.deleted", _("秘密保持誓約の削除")
    SAFEGUARDS_TRAININGCOURSE_CREATED = "safeguards.trainingcourse.created", _("研修コースの登録")
    SAFEGUARDS_TRAININGCOURSE_CHANGED = "safeguards.trainingcourse.changed", _("研修コースの変更")
    SAFEGUARDS_TRAININGCOURSE_DELETED = "safeguards.trainingcourse.deleted", _("研修コースの削除")
    SAFEGUARDS_TRAININGSESSION_CREATED = (
        "safeguards.trainingsession.created",
        _("研修の実施の登録"),
    )
    SAFEGUARDS_TRAININGSESSION_CHANGED = (
        "safeguards.trainingsession.changed",
        _("研修の実施の変更"),
    )
    SAFEGUARDS_TRAININGSESSION_DELETED = (
        "safeguards.trainingsession.deleted",
        _("研修の実施の削除"),
    )
    SAFEGUARDS_ATTENDANCE_CREATED = "safeguards.attendance.created", _("受講記録の登録")
    SAFEGUARDS_ATTENDANCE_CHANGED = "safeguards.attendance.changed", _("受講記録の変更")
    SAFEGUARDS_ATTENDANCE_DELETED = "safeguards.attendance.deleted", _("受講記録の削除")
    SAFEGUARDS_SECUREAREA_CREATED = "safeguards.securearea.created", _("管理区域の登録")
    SAFEGUARDS_SECUREAREA_CHANGED = "safeguards.securearea.changed", _("管理区域の変更")
    SAFEGUARDS_SECUREAREA_DELETED = "safeguards.securearea.deleted", _("管理区域の削除")

    @classmethod
    def register(cls, label_lower: str, verb: str) -> "Action":
        """The action of a register row `created`, `changed` or `deleted` in the admin
        (core.audited):
        `register("safeguards.pledge", "created")`. Raises ValueError if it is not declared."""
        return cls(f"{label_lower}.{verb}")


# Every action's name, as a set: `Action.values` builds its list afresh on each reading (168
# names, some 40 µs), and each append and each event a report reads asks.
NAMES = frozenset(Action.values)

# The names trails hold from before this vocabulary, each with the action it meant. Never
# remove one: a trail written then keeps its names for ever.
LEGACY: dict[str, Action] = {
    "access.matched": Action.RECORDS_ACCESS_MATCHED,
    "access.read": Action.RECORDS_ACCESS_READ,
    "access.refused": Action.RECORDS_ACCESS_REFUSED,
    "audit.checkpoint": Action.AUDIT_CHECKPOINT_WRITTEN,
    "audit.role_granted": Action.AUDIT_ROLE_GRANTED,
    "complaint.changed": Action.COMPLAINTS_COMPLAINT_CHANGED,
    "complaint.filing_reduced": Action.COMPLAINTS_FILING_REDUCED,
    "complaint.received": Action.COMPLAINTS_COMPLAINT_RECEIVED,
    "complaint.transition": Action.COMPLAINTS_COMPLAINT_MOVED,
    "disclosure.consulted": Action.DISCLOSURE_REQUEST_CONSULTED,
    "disclosure.document_purged": Action.DISCLOSURE_DOCUMENT_PURGED,
    "disclosure.document_read": Action.DISCLOSURE_DOCUMENT_READ,
    "disclosure.extended": Action.DISCLOSURE_REQUEST_EXTENDED,
    "disclosure.fee_paid": Action.DISCLOSURE_FEE_PAID,
    "disclosure.filed": Action.DISCLOSURE_REQUEST_FILED,
    "disclosure.filing_reduced": Action.DISCLOSURE_FILING_REDUCED,
    "disclosure.letter_read": Action.DISCLOSURE_LETTER_READ,
    "disclosure.package_built": Action.DISCLOSURE_PACKAGE_BUILT,
    "disclosure.package_downloaded": Action.DISCLOSURE_PACKAGE_DOWNLOADED,
    "disclosure.transition": Action.DISCLOSURE_REQUEST_MOVED,
    "member.create": Action.RECORDS_MEMBER_CREATED,
    "member.erase": Action.RECORDS_MEMBER_ERASED,
    "member.update": Action.RECORDS_MEMBER_CHANGED,
    "members.import": Action.RECORDS_MEMBER_IMPORTED,
    "provision.register": Action.RECORDS_PROVISION_REGISTERED,
    "record.create": Action.RECORDS_RECORD_CREATED,
    "record.delete": Action.RECORDS_RECORD_DELETED,
    "record.update": Action.RECORDS_RECORD_CHANGED,
    "records.demo_populated": Action.RECORDS_DEMO_POPULATED,
    "records.import": Action.RECORDS_RECORD_IMPORTED,
    "reports.trail_verified": Action.REPORTS_TRAIL_VERIFIED,
    "reports.viewed": Action.REPORTS_REPORT_VIEWED,
    "restriction.add": Action.RECORDS_RESTRICTION_ADDED,
    "safeguards.auditplan.transition": Action.SAFEGUARDS_AUDITPLAN_MOVED,
    "safeguards.incident.transition": Action.SAFEGUARDS_INCIDENT_MOVED,
    "scope.granted": Action.SAFEGUARDS_SCOPE_GRANTED,
    "scope.withdrawn": Action.SAFEGUARDS_SCOPE_WITHDRAWN,
}


def declared(name: str) -> Action | None:
    """The action an event's stored name means, old name or new; None if neither."""
    if name in NAMES:
        return Action(name)
    return LEGACY.get(name)


def stored_names(action: Action) -> list[str]:
    """Every name the trail may hold for `action`: its own and the legacy ones, sorted."""
    return sorted([action.value, *(old for old, new in LEGACY.items() if new == action)])


def label(name: str) -> str:
    """An event's action as people read it; a name never declared shows as it was written."""
    action = declared(name)
    return str(action.label) if action is not None else name
