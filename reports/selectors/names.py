"""Labels for what the trail records as ids and codes: staff names, purposes, categories,
statutory grounds, the gate's refusals and the verifier's findings."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.verify import Kind
from purposes.models import Category, Purpose
from records import gate
from safeguards.models import StatutoryGround

# The gate's refusal codes, as the auditor reads them.
REFUSAL_REASONS = {
    gate.OutOfScope.reason: gettext_lazy("担当範囲外"),
    gate.PurposeNotPermitted.reason: gettext_lazy("利用目的が認められていない"),
    gate.PurposeMissing.reason: gettext_lazy("利用目的の指定なし"),
    gate.StandingLapsed.reason: gettext_lazy("誓約書・研修の未了又は失効"),
    gate.OutOfDesk.reason: gettext_lazy("窓口の担当外"),
    gate.MyNumberWithheld.reason: gettext_lazy("個人番号を含む類型（指定外又は API・CSV）"),
    gate.NotTheOfficer.reason: gettext_lazy("個人情報取扱責任者の登録簿（責任者以外）"),
}

# What a verification of the trail found (audit.verify), by its kind's name.
PROBLEMS = {
    Kind.CHANGED.name: gettext_lazy("内容の改変"),
    Kind.MISSING.name: gettext_lazy("イベントの欠落"),
    Kind.REORDERED.name: gettext_lazy("順序の入替え"),
    Kind.INSERTED.name: gettext_lazy("イベントの挿入"),
    Kind.CUT_OFF.name: gettext_lazy("末尾の切取り"),
    Kind.REWRITTEN.name: gettext_lazy("履歴の書換え"),
    Kind.FORGED.name: gettext_lazy("チェックポイントの偽造又は鍵の不一致"),
}


def staff_names(ids) -> dict[int | None, str]:
    users = get_user_model().objects.in_bulk({i for i in ids if i is not None})
    names = {pk: user.get_full_name() or user.get_username() for pk, user in users.items()}
    return {None: _("システム・本人"), **names}


def purpose_names() -> dict[str, str]:
    return {"": _("（利用目的なし）"), **dict(Purpose.objects.values_list("code", "name"))}


def category_names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


def ground_name(code: str | None) -> str:
    return str(StatutoryGround(code).label) if code in StatutoryGround.values else ""
