"""What an access is: the user, surface, purpose (or statutory ground) and day a read is for.

Values only: nothing here reads the database or decides who may read. Only `open_access`
(`records.gate.opening`) makes an `Access`, after its checks; never build one by hand.
"""

import dataclasses
import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext as _

from purposes.models import Purpose
from safeguards.models import StatutoryGround, condition_of


class Surface(models.TextChoices):
    ADMIN = "admin", _("管理画面")
    API = "api", _("API")
    EXPORT = "export", _("CSV 出力")
    DISCLOSURE = "disclosure", _("開示")


# 番号法第19条・第20条: a category flagged 個人番号を含む never leaves through these.
MY_NUMBER_CLOSED_SURFACES = frozenset({Surface.API, Surface.EXPORT})


# The officer's duty of keeping the register of protections (DV, stalking, child abuse).
PROTECTIONS = "protections"


@dataclasses.dataclass(frozen=True)
class Statutory:
    """A read under APPI Art. 18(3): the ground (a `StatutoryGround`), the stated reason, and
    for a ground of items (ii)-(iv) and (vi) that the user confirmed its condition
    (`safeguards.models.condition_of`: 本人の同意を得ることが困難であること, ...)."""

    ground: str
    reason: str
    condition_confirmed: bool = False

    def __post_init__(self):
        if self.ground not in StatutoryGround.values or not self.reason.strip():
            raise ValueError("a statutory access needs a known ground and a reason")
        if condition_of(self.ground) and not self.condition_confirmed:
            raise ValueError("this ground applies only once its condition is confirmed")


@dataclasses.dataclass(frozen=True)
class Subject:
    """The one person a filing is about, read in every category for answering it (APPI
    Art. 32-35: the Act asks for all the society holds about the person, not what the staff
    member's scope shows). `lookups` name the person on `Member` (the card and birth date
    before the match, the member's id after it); `filing` (a saved row) is the event's target.
    """

    filing: models.Model
    lookups: tuple[tuple[str, object], ...]

    def __post_init__(self):
        if self.filing.pk is None or not self.lookups:
            raise ValueError("a subject is named by a saved filing and at least one lookup")


@dataclasses.dataclass(frozen=True)
class Access:
    """What one surface may read for one user, for one purpose (or statutory ground), one day."""

    user: AbstractBaseUser
    surface: str
    on: datetime.date
    purpose: Purpose | None
    statutory: Statutory | None
    category_ids: frozenset[int]  # granted and permitted for the purpose
    member_grant_category_ids: frozenset[int] | None  # None: the user holds no member grant
    category_codes: tuple[tuple[int, str], ...]
    subject: Subject | None = None  # only this person's rows, in every category
    # The categories flagged 個人番号を含む (purposes.Category.includes_my_number), whether or
    # not this access reads them: a surface that never carries them drops them.
    my_number_category_ids: frozenset[int] = frozenset()
    # A register the privacy officer keeps by role (`PROTECTIONS`): every member's own row
    # and the register's rows about them, never a record (`open_protections`).
    duty: str | None = None
    # The members granted to the user one by one (records.handle_member), read when the
    # access opened, as its categories are: empty where `member_grant_category_ids` is None.
    member_ids: frozenset[int] = frozenset()

    @property
    def purpose_code(self) -> str:
        return self.purpose.code if self.purpose else ""

    def on_surface(self, surface: str) -> "Access":
        moved = dataclasses.replace(self, surface=surface)
        if surface in MY_NUMBER_CLOSED_SURFACES and self.subject is None:
            withheld = self.my_number_category_ids
            moved = dataclasses.replace(
                moved,
                category_ids=self.category_ids - withheld,
                member_grant_category_ids=None
                if self.member_grant_category_ids is None
                else self.member_grant_category_ids - withheld,
            )
        return moved
