"""The staff roles, as auth groups that a data migration creates (safeguards 0003).

A role grants model permissions only: which admin screens a person may open; a later
migration changes them. Which personal data a handler may read is their scope
(`safeguards.scopes`), enforced by the gate (`records.gate`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The value is the group's name, as staff see it in the admin.
    HANDLER = "取扱担当者", _("取扱担当者")
    PRIVACY_OFFICER = "個人情報取扱責任者", _("個人情報取扱責任者")
    AUDITOR = "監事", _("監事")
    SYSTEM_ADMINISTRATOR = "システム管理者", _("システム管理者")
    # 番号法 (特定個人情報ガイドライン「事務取扱担当者の明確化」): only those designated read a
    # category flagged 個人番号を含む, whatever else they are granted (`records.gate`).
    MY_NUMBER_HANDLER = "個人番号事務取扱担当者", _("個人番号事務取扱担当者")


# The names of a user's groups, read once per user object: a request's user is made anew for
# each request, and an admin page asked for its roles five times (the menu, the desks, the
# officer's approvals, the reports' link), one statement each. Forgotten when the object's
# own groups change (`forget_roles`, on `m2m_changed`), as Django forgets its permissions.
_ROLES = "_kumiai_role_names"


def _role_names(user) -> frozenset[str]:
    names = getattr(user, _ROLES, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _ROLES, names)
    return names


def forget_roles(sender, instance, reverse, **kwargs) -> None:
    """`m2m_changed` of `User.groups`: the user whose groups changed reads them again."""
    if not reverse:
        instance.__dict__.pop(_ROLES, None)


def has_role(user, role: Role) -> bool:
    return user.is_authenticated and role in _role_names(user)


def may_read_reports(user) -> bool:
    """The auditors' reports (`/reports/`) are for the 監事 and the privacy officer."""
    return user.is_authenticated and bool(_role_names(user) & {Role.AUDITOR, Role.PRIVACY_OFFICER})
