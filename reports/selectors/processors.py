"""Processors (委託先, APPI Art. 25) and joint use (共同利用, Art. 27(5)(iii)) for the 監事:
the register with each processor's contract, safeguards check and latest audit, the audits
of the period with their findings, and each joint use with the day it was published. These
registers name companies, never a member."""

from django.db.models import Max
from django.utils.translation import gettext as _

from purposes.outsourcing import JointUse, Processor, ProcessorAudit
from reports.period import Period
from reports.tables import Report, Table


def processors_report(period: Period) -> Report:
    processors = Processor.objects.annotate(last_audit=Max("audits__audited_on")).order_by(
        "kind", "name"
    )
    audits = (
        ProcessorAudit.objects.filter(audited_on__gte=period.start, audited_on__lte=period.end)
        .select_related("processor")
        .order_by("audited_on", "id")
    )
    return Report(
        "processors",
        _("委託先の監督と共同利用"),
        period,
        [
            Table(
                _("委託先"),
                (
                    _("委託先"),
                    _("種別"),
                    _("契約開始日"),
                    _("契約終了日"),
                    _("安全管理措置の確認日"),
                    _("再委託"),
                    _("外国"),
                    _("直近の監査日"),
                ),
                [
                    (
                        p.name,
                        p.get_kind_display(),
                        p.contract_from,
                        p.contract_until,
                        p.safeguards_checked_on or _("未確認"),
                        p.get_subcontracting_display(),
                        p.country or _("国内"),
                        p.last_audit or _("未実施"),
                    )
                    for p in processors
                ],
            ),
            Table(
                _("期間中の委託先の監査"),
                (
                    _("監査日"),
                    _("委託先"),
                    _("方法"),
                    _("指摘事項"),
                    _("改善の確認"),
                    _("次回予定日"),
                ),
                [
                    (
                        a.audited_on,
                        a.processor.name,
                        a.get_method_display(),
                        a.findings or _("指摘なし"),
                        a.follow_up,
                        a.next_due,
                    )
                    for a in audits
                ],
            ),
            Table(
                _("共同利用"),
                (_("名称"), _("責任を有する者"), _("公表日"), _("利用開始日"), _("利用終了日")),
                [
                    (
                        j.title,
                        j.responsible_name,
                        j.published_on or _("未公表（利用できません）"),
                        j.starts_on,
                        j.ends_on,
                    )
                    for j in JointUse.objects.order_by("starts_on", "id")
                ],
            ),
        ],
    )
