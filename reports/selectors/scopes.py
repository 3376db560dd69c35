"""The scope register (who may handle which categories and desks) and its changes in a
period."""

from collections import defaultdict
from itertools import chain
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext as _

from audit.vocabulary import Action, declared
from purposes.models import Category
from records.models import Member, MemberUserObjectPermission
from reports.period import Period
from reports.tables import Cell, Chart, Report, Table
from safeguards.models import (
    CategoryGroupObjectPermission,
    CategoryUserObjectPermission,
    Desk,
    DeskGroupObjectPermission,
    DeskUserObjectPermission,
)
from safeguards.roles import Role
from safeguards.scopes import group_scopes, handle_permission

from . import events
from .names import staff_names

CHANGES = (Action.SAFEGUARDS_SCOPE_GRANTED, Action.SAFEGUARDS_SCOPE_WITHDRAWN)


def scope_register(period: Period) -> Report:
    categories = dict(Category.objects.values_list("id", "name"))
    # Three queries for every staff member at once (safeguards.scopes.category_ids_for asks
    # per user): the grants to the user, to the user's groups, and of single members.
    permission = handle_permission(Category)
    granted: dict[int, set[int]] = defaultdict(set)
    for user_id, category in chain(
        CategoryUserObjectPermission.objects.filter(permission=permission).values_list(
            "user_id", "content_object_id"
        ),
        CategoryGroupObjectPermission.objects.filter(
            permission=permission, group__user__isnull=False
        ).values_list("group__user", "content_object_id"),
    ):
        granted[user_id].add(category)
    members = dict(
        MemberUserObjectPermission.objects.filter(permission=handle_permission(Member))
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    # The desks whose filings each user reads: granted, or both for the privacy officer.
    desks: dict[int, set[str]] = defaultdict(set)
    for user_id, code in chain(
        DeskUserObjectPermission.objects.values_list("user_id", "content_object__code"),
        DeskGroupObjectPermission.objects.filter(group__user__isnull=False).values_list(
            "group__user", "content_object__code"
        ),
    ):
        desks[user_id].add(code)
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
    officers = set(staff.filter(groups__name=Role.PRIVACY_OFFICER).values_list("pk", flat=True))
    rows: list[tuple[Cell, ...]] = []
    holders: dict[str, int] = dict.fromkeys(categories.values(), 0)
    shown = set(granted) | set(members) | set(desks) | officers
    for user in staff.filter(pk__in=shown).prefetch_related("groups"):
        handled = [categories[i] for i in sorted(granted[user.pk])]
        for category_name in handled:
            holders[category_name] += 1
        roles = [g.name for g in user.groups.all() if g.name in Role.values]
        name = user.get_full_name() or user.get_username()
        codes = set(Desk.Code.values) if user.pk in officers else desks[user.pk]
        desk_names = "、".join(str(label) for code, label in Desk.Code.choices if code in codes)
        rows.append(
            (name, "、".join(roles), "、".join(handled), members.get(user.pk, 0), desk_names)
        )
    by_holders = sorted(holders.items(), key=lambda item: -item[1])
    changes = list(
        events.in_period(period, *CHANGES)
        .values("seq", "at", "actor_id", "action", "target_type", "target_id", "details")
        .order_by("seq")[: events.LIMIT + 1]
    )
    names = staff_names(
        {c["actor_id"] for c in changes} | {c["details"].get("user") for c in changes}
    )
    groups = dict(
        Group.objects.filter(pk__in={c["details"].get("group") for c in changes}).values_list(
            "pk", "name"
        )
    )
    return Report(
        "scopes",
        _("取扱担当者とその取り扱う個人データの範囲"),
        period,
        [
            Table(
                _("現在の担当"),
                (
                    _("職員"),
                    _("役割"),
                    _("取り扱う類型"),
                    _("個別に割り当てられた加入者の数"),
                    _("担当する窓口"),
                ),
                rows,
            ),
            Table(
                _("グループによる担当"),
                (
                    _("グループ"),
                    _("取り扱う類型"),
                    _("担当する窓口"),
                    _("グループを通じて担当を持つ職員"),
                ),
                [
                    (
                        row.group.name,
                        "、".join(category.name for category in row.categories),
                        "、".join(row.desk_names),
                        "、".join(
                            user.get_full_name() or user.get_username() for user in row.members
                        ),
                    )
                    for row in group_scopes()
                ],
            ),
            Table(
                _("類型ごとの担当者数"),
                (_("類型"), _("担当者数")),
                by_holders,
                Chart.BARS,
            ),
            Table(
                _("期間中の担当の変更"),
                (
                    _("連番"),
                    _("日時"),
                    _("変更した人"),
                    _("変更"),
                    _("対象の職員・グループ"),
                    _("範囲"),
                ),
                [
                    (
                        c["seq"],
                        c["at"],
                        names.get(c["actor_id"]),
                        _("割当て") if declared(c["action"]) == CHANGES[0] else _("解除"),
                        _holder_name(c["details"], names, groups),
                        _scope_target(c, categories),
                    )
                    for c in changes[: events.LIMIT]
                ],
                links=[events.url(period, seq=c["seq"]) for c in changes[: events.LIMIT]],
                note=_("先頭の%(n)d件を表示しています。期間を絞ってください。")
                % {"n": events.LIMIT}
                if len(changes) > events.LIMIT
                else "",
            ),
        ],
    )


def _holder_name(details: dict[str, Any], names: dict, groups: dict[int, str]) -> str | None:
    """Whom a grant was for: the staff member, or the group (「グループ「…」」)."""
    if "group" in details:
        return _("グループ「%s」") % groups.get(details["group"], details["group"])
    return names.get(details.get("user"))


def _scope_target(change: dict[str, Any], categories: dict[int, str]) -> str:
    if change["target_type"] == "purposes.category":
        return categories.get(int(change["target_id"]), change["target_id"])
    if change["target_type"] == "safeguards.desk":
        desk = Desk.objects.filter(pk=change["target_id"]).first()
        return str(desk) if desk else change["target_id"]
    return _("加入者ID %(id)s") % {"id": change["target_id"]}
