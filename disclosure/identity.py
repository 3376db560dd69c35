"""照合: what the officer must see and settle before a request is tied to a member
(`services.request_match` enforces it; the 照合 screen, `moves.MatchForm`, shows it first).

- The filed 氏名 and フリガナ against the register's, folded (`core.normalize.fold_name`): a
  difference stops the match until the officer confirms the identity document was checked.
- The household: a dependent's data is the dependent's (APPI Art. 2(1)). An insured person
  who files as 本人 about a dependent of full age is another person: the dependent files
  themselves, or an agent files with their 委任状 (APPI Art. 37(3), Order Art. 13(2)).
  For a minor the insured person is usually the 法定代理人 and files as such, with proof.

Nothing here writes; reads of the member are the caller's (on the request's statutory
access), and the insured person is compared by the gate (`gate.names_insured`).
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from core.normalize import fold_name
from records import gate
from records.models import Member

from .models import Request

# 民法第4条 (as amended in 2022): full age at 18.
FULL_AGE = 18
# The filed fields compared with the register's, by the Request field's name (the Member's
# has the same name).
NAME_FIELDS = ("name", "name_kana")
MISMATCH_UNCHECKED = gettext_lazy(
    "請求書の氏名・フリガナが加入者の登録と一致しません。本人確認書類で本人であることを"
    "確かめ、確認の欄にチェックしてから照合してください。"
)


def name_differences(request: Request, member: Member) -> list[str]:
    """The fields of `NAME_FIELDS` whose filed value, folded, is not the register's."""
    return [
        field
        for field in NAME_FIELDS
        if fold_name(getattr(request, field)) != fold_name(getattr(member, field))
    ]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Years of age on `day` (a birthday of 29 February falls on 1 March)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def household_refusal(request: Request, member: Member, *, by) -> str | None:
    """Why `request`, filed as 本人, cannot be matched to the dependent `member` because it
    names the card's insured person; None when it can. Audited (`gate.names_insured`)."""
    if request.filer != Request.Filer.SELF or member.relationship == Member.Relationship.SELF:
        return None
    if not gate.names_insured(
        dependent=member, name=request.name, kana=request.name_kana, target=request, by=by
    ):
        return None
    filed_on = deadlines.local_date(request.received_at)
    if age_on(member.birth_date, filed_on) >= FULL_AGE:
        return _(
            "被保険者が、18歳以上の被扶養者について本人として請求しています。被扶養者の情報は"
            "被扶養者本人のものです。被扶養者本人からの請求、または被扶養者の委任状（代理権を"
            "証する書類）を添えた代理人としての請求が必要です。本人として照合することは"
            "できません。"
        )
    return _(
        "被保険者が、18歳未満の被扶養者について本人として請求しています。法定代理人としての"
        "請求（戸籍謄本など代理権を証する書類を添えたもの）が必要です。本人として照合する"
        "ことはできません。"
    )
