"""Labels for what the trail records as ids and codes: staff names, purposes, categories."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from purposes.models import Category, Purpose
from safeguards.models import StatutoryGround


def staff_names(ids) -> dict[int | None, str]:
    users = get_user_model().objects.in_bulk({i for i in ids if i is not None})
    names = {pk: user.get_full_name() or user.get_username() for pk, user in users.items()}
    return {None: _("システム・本人"), **names}


def purpose_names() -> dict[str, str]:
    return {"": _("（利用目的なし）"), **dict(Purpose.objects.values_list("code", "name"))}


def category_names() -> dict[str, str]:
    return dict(Category.objects.values_list("code", "name"))


def ground_name(code: str | None) -> str:
    return StatutoryGround(code).label if code in StatutoryGround.values else ""
