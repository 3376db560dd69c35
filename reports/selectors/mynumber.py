"""The categories flagged 個人番号を含む, for the 監事: who is designated to handle them, and
every read of them in the period (番号法; 特定個人情報ガイドライン: 事務取扱担当者の明確化と
取扱状況の記録). Counts, staff names and codes only."""

from collections import defaultdict
from itertools import chain

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from audit.vocabulary import Action
from purposes.models import Category
from records import gate
from reports.period import Period
from reports.tables import Report, Table
from safeguards.models import CategoryGroupObjectPermission, CategoryUserObjectPermission
from safeguards.roles import Role
from safeguards.scopes import handle_permission

from . import events
from .names import staff_names


def my_number_report(period: Period) -> Report:
    flagged = dict(Category.objects.filter(includes_my_number=True).values_list("id", "name"))
    codes = dict(Category.objects.filter(includes_my_number=True).values_list("code", "name"))
    permission = handle_permission(Category)
    granted: dict[int, set[int]] = defaultdict(set)
    for user, category in chain(
        CategoryUserObjectPermission.objects.filter(
            permission=permission, content_object__in=list(flagged)
        ).values_list("user_id", "content_object_id"),
        CategoryGroupObjectPermission.objects.filter(
            permission=permission, content_object__in=list(flagged), group__user__isnull=False
        ).values_list("group__user", "content_object_id"),
    ):
        granted[user].add(category)
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    designated = set(staff.filter(groups__name=Role.MY_NUMBER_HANDLER).values_list("pk", flat=True))
    names = staff_names(designated | set(granted))
    handlers = [
        (
            names[pk],
            _("指定あり") if pk in designated else _("指定なし（閲覧できません）"),
            "、".join(flagged[c] for c in sorted(granted[pk])) or _("なし"),
        )
        for pk in sorted(designated | set(granted), key=lambda pk: names[pk])
    ]
    reads = []
    links: list[str | None] = []
    for code, name in codes.items():
        rows = (
            events.annotated(
                events.with_category(events.in_period(period, Action.RECORDS_ACCESS_READ), code),
                period,
            )
            .values("day", "actor_id", "surface")
            .annotate(n=Count("seq"), rows=Sum("rowcount"))
            .order_by("day", "actor_id", "surface")
        )
        for row in rows[: events.LIMIT]:
            reads.append((row["day"], name, row["actor_id"], row["surface"], row["n"], row["rows"]))
            links.append(
                events.url(
                    period,
                    action=Action.RECORDS_ACCESS_READ.value,
                    category=code,
                    actor=row["actor_id"],
                    day=row["day"],
                )
            )
    readers = staff_names({actor for _d, _c, actor, _s, _n, _r in reads})
    surfaces = dict(gate.Surface.choices)
    refused = (
        events.in_period(period, Action.RECORDS_ACCESS_REFUSED)
        .filter(details__reason=gate.MyNumberWithheld.reason)
        .values("actor_id", surface=KT("details__surface"))
        .annotate(n=Count("seq"))
        .order_by("actor_id", "surface")
    )
    refusers = staff_names({r["actor_id"] for r in refused})
    return Report(
        "my-number",
        _("個人番号を含む類型の取扱い"),
        period,
        [
            Table(
                _("個人番号を含む類型"),
                (_("類型"), _("指定された担当者の数")),
                [
                    (name, sum(1 for pk in designated if category in granted[pk]))
                    for category, name in flagged.items()
                ],
                note=_(
                    "当組合のこのシステムは個人番号そのものを保管しません（入力された番号は拒否され、"
                    "取込みでは伏せられます）。これらの類型は、指定された個人番号事務取扱担当者だけが"
                    "管理画面で閲覧でき、API と CSV 出力では提供されません。"
                ),
            ),
            Table(
                _("個人番号事務取扱担当者"),
                (_("職員"), _("指定"), _("割り当てられた個人番号を含む類型")),
                handlers,
            ),
            Table(
                _("期間中の閲覧（日・職員・経路ごと）"),
                (_("日"), _("類型"), _("職員"), _("経路"), _("閲覧回数"), _("件数")),
                [
                    (day, category, readers.get(actor), surfaces.get(surface, surface), n, rows)
                    for day, category, actor, surface, n, rows in reads
                ],
                links=links,
            ),
            Table(
                _("期間中の拒否（指定外の職員、API・CSV 出力）"),
                (_("職員"), _("経路"), _("拒否回数")),
                [
                    (refusers.get(r["actor_id"]), surfaces.get(r["surface"], r["surface"]), r["n"])
                    for r in refused
                ],
            ),
        ],
    )
