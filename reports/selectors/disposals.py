"""Disposal runs (APPI Art. 22) for the 監事: the runs of the period, and each run's
certificate (廃棄記録): categories, counts, method, who approved and carried it out and when,
what was held and why. Counts, category names, ids and staff names only: the erased values
are gone, and the certificate never held them."""

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from reports.period import Period
from reports.tables import Report, Table
from retention.models import DisposalRun

from .names import staff_names


def _method() -> str:
    return _(
        "データベースからの削除・暗号鍵の破棄（加入者全体を消去したとき。"
        "要配慮個人情報の記録はその鍵で暗号化して保存）"
    )


def disposals_report(period: Period) -> Report:
    runs = (
        DisposalRun.objects.filter(
            created_at__date__gte=period.start, created_at__date__lte=period.end
        )
        .annotate(due=Sum("lines__due"), erased=Sum("lines__erased"))
        .order_by("-created_at", "-id")
    )
    names = staff_names({run.carried_out_by_id for run in runs})
    return Report(
        "disposals",
        _("廃棄の実施"),
        period,
        [
            Table(
                _("期間中に作成された廃棄の実施"),
                (
                    _("番号"),
                    _("基準日"),
                    _("状態"),
                    _("保存期間を経過した記録"),
                    _("消去した記録"),
                    _("消去した加入者"),
                    _("実施者"),
                    _("実施日時"),
                ),
                [
                    (
                        str(run),
                        run.as_of,
                        run.get_state_display(),
                        run.due or 0,
                        run.erased or 0,
                        run.members_erased,
                        names[run.carried_out_by_id] if run.carried_out_by_id else "",
                        run.carried_out_at,
                    )
                    for run in runs
                ],
                links=[reverse("reports:disposal", args=[run.pk]) for run in runs],
                note=_("番号を選ぶと廃棄記録（PDF で保存できます）を表示します。"),
            )
        ],
    )


def disposal_certificate(period: Period, pk: int) -> Report:
    """The certificate of run `pk` (廃棄記録); 404 if there is none."""
    run = get_object_or_404(DisposalRun.objects.select_related("second_approval"), pk=pk)
    second = run.second_approval
    names = staff_names(
        {run.approved_by_id, run.carried_out_by_id, second and second.decided_by_id}
    )

    def who(user_id) -> str:
        return names[user_id] if user_id else _("—")

    lines = run.lines.select_related("category")
    return Report(
        "disposal",
        _("廃棄記録（%(run)s）") % {"run": run},
        period,
        [
            Table(
                _("概要"),
                (_("項目"), _("内容")),
                [
                    (_("基準日"), run.as_of),
                    (_("状態"), run.get_state_display()),
                    (_("廃棄の方法"), _method()),
                    (_("承認者"), who(run.approved_by_id)),
                    (_("承認日時"), run.approved_at),
                    (
                        _("二者確認の承認者"),
                        who(second.decided_by_id)
                        if second
                        else (_("承認待ち") if run.four_eyes else _("不要")),
                    ),
                    (_("二者確認の承認日時"), second.decided_at if second else None),
                    (_("実施者"), who(run.carried_out_by_id)),
                    (_("実施日時"), run.carried_out_at),
                    (_("消去した加入者（資格喪失後の保存期間経過）"), run.members_erased),
                ],
            ),
            Table(
                _("類型ごとの件数"),
                (
                    _("類型"),
                    _("保存期間"),
                    _("根拠"),
                    _("保存期間を経過した記録"),
                    _("保留した記録"),
                    _("消去した記録"),
                ),
                [
                    (
                        line.category.name,
                        line.category.retention_period,
                        line.category.retention_basis,
                        line.due,
                        line.held,
                        line.erased,
                    )
                    for line in lines
                ],
            ),
            Table(
                _("保留（処理中の案件が必要とする記録）"),
                (_("理由"), _("案件ID"), _("加入者ID"), _("類型"), _("記録の件数")),
                [
                    (
                        hold.get_reason_display(),
                        hold.matter_id or "",
                        hold.member_id or "",
                        hold.category.name if hold.category else _("加入者全体"),
                        hold.records,
                    )
                    for hold in run.holds.select_related("category")
                ],
            ),
        ],
        periodic=False,
    )
