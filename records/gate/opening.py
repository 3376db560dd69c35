"""Opening an access: `open_access`, the refusals it raises, and the purposes a user may choose.

It reads the user's standing, scope and the register in force (in one statement, `_OPENING`),
never a member or a record: those are read only through `records.gate.querysets`, once an
access is open. Every refusal is noted in the ledger, so none goes unaudited.
"""

import dataclasses
import datetime
import re

from django.core.exceptions import PermissionDenied
from django.db import connection, connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from purposes import register
from purposes.models import Category, Purpose
from records.models import Member
from safeguards.roles import Role, has_role
from safeguards.standing import refusal_for

from .access import MY_NUMBER_CLOSED_SURFACES, PROTECTIONS, Access, Statutory, Subject, Surface
from .ledgers import current_ledger

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,64}")  # Purpose.code is a SlugField of 64


class AccessRefused(PermissionDenied):
    """The gate refuses the whole access; `reason` is the code the refusal is audited under."""

    reason = "refused"


class PurposeMissing(AccessRefused):
    reason = "purpose_missing"

    def __init__(self):
        super().__init__(
            _(
                "利用目的が選ばれていません。個人データを閲覧する前に、登録簿で認められた"
                "利用目的を選んでください（API では purpose パラメータで指定します）。"
            )
        )


class PurposeNotPermitted(AccessRefused):
    """A purpose the register does not permit for the user's categories that day. Named by
    its registered name; one the register does not know is not named at all, since the code
    sent may be any text (a message must never repeat it)."""

    reason = "purpose_not_permitted"

    def __init__(self, purpose: Purpose | None, on: datetime.date):
        self.purpose = purpose
        if purpose is None:
            message = _(
                "指定された利用目的のコードは、%(on)s 時点の利用目的の登録簿にありません。"
                "登録簿で認められた利用目的を選んでください（API では purpose パラメータで"
                "指定します）。"
            ) % {"on": on.isoformat()}
        else:
            message = _(
                "利用目的「%(purpose)s」は、%(on)s 時点の利用目的の登録簿で、あなたの担当する"
                "類型のいずれにも認められていません。担当する類型に認められた利用目的を選び"
                "直してください。"
            ) % {"purpose": purpose.name, "on": on.isoformat()}
        super().__init__(message)


class StandingLapsed(AccessRefused):
    """No pledge on file, or training lapsed (`safeguards.standing` says which, and what to do)."""

    reason = "standing_lapsed"


class MyNumberWithheld(AccessRefused):
    """Every category the access would read is flagged 個人番号を含む, and the user is not a
    designated 個人番号事務取扱担当者, or the surface is one that never carries them."""

    reason = "my_number_withheld"

    def __init__(self, surface: str):
        if surface in MY_NUMBER_CLOSED_SURFACES:
            message = _(
                "個人番号を含む類型の個人データは、API と CSV 出力では提供しません（番号法第19条・"
                "第20条）。管理画面で、個人番号事務取扱担当者が閲覧してください。"
            )
        else:
            message = _(
                "個人番号を含む類型の個人データは、個人番号事務取扱担当者として指定された職員だけが"
                "取り扱えます（番号法、特定個人情報ガイドライン）。必要な場合は個人情報取扱責任者に"
                "指定を依頼してください。"
            )
        super().__init__(message)


class OutOfScope(AccessRefused):
    reason = "out_of_scope"

    def __init__(self):
        super().__init__(
            _(
                "あなたには取り扱う個人データの範囲（担当）が割り当てられていません。"
                "必要な場合は個人情報取扱責任者に担当の割当てを依頼してください。"
            )
        )


class NotTheOfficer(AccessRefused):
    reason = "not_officer"

    def __init__(self):
        super().__init__(
            _(
                "保護措置（DV等）の登録簿は、個人情報取扱責任者が開きます。保護措置の登録や解除が"
                "必要なときは、個人情報取扱責任者に依頼してください。"
            )
        )


def open_protections(*, user, surface: str = Surface.ADMIN) -> Access:
    """The privacy officer's access to the register of protections (`records.Protection`),
    by role: no category in scope and no purpose, for the officer sets and lifts them (the
    MHLW guidance on DV, stalking and child abuse) whatever they handle. It reads members'
    own rows (the officer finds the one a protection is for by 記号-番号-枝番) and the
    protections, never a record; each read is an `access.read` event with `duty`.

    Raises `NotTheOfficer` for anyone else, `StandingLapsed` without a pledge or with lapsed
    training, both audited."""
    on = timezone.localdate()
    try:
        if not (user.is_authenticated and has_role(user, Role.PRIVACY_OFFICER)):
            raise NotTheOfficer
        opening = _opening(user, on)
        if lapsed := refusal_for(pledged=opening.pledged, latest=opening.lapses_on, on=on):
            raise StandingLapsed(lapsed)
    except AccessRefused as refusal:
        current_ledger().refuse(user=user, surface=surface, purpose="", reason=refusal.reason)
        raise
    return Access(
        user=user,
        surface=surface,
        on=on,
        purpose=None,
        statutory=None,
        category_ids=frozenset(),
        member_grant_category_ids=None,
        category_codes=(),
        duty=PROTECTIONS,
    )


def holds_scope(user) -> bool:
    """Whether `user` holds any scope (a category or a member granted): who may open the
    records' pages at all. Not audited: it reads no personal data."""
    if not user.is_authenticated:
        return False
    opening = _opening(user, timezone.localdate())
    return bool(opening.category_ids) or opening.has_member_grants


def open_access(
    *,
    user,
    surface: str,
    purpose: str | None = None,
    statutory: Statutory | None = None,
    subject: Subject | None = None,
    on: datetime.date | None = None,
) -> Access:
    """Check that `user` may read for `purpose` (a code) or `statutory`, and return the access.

    With `subject` (statutory only), the access reads that one person in every category,
    whatever `user`'s scope: the caller answering what the person filed (`disclosure.access`)
    says who may. Standing (pledge, training) still applies.

    Raises `PurposeMissing`, `PurposeNotPermitted` or `OutOfScope`, audited.
    """
    if subject is not None and statutory is None:
        raise ValueError("a subject is read on a statutory ground only")
    on = on or timezone.localdate()
    try:
        return _open(
            user=user, surface=surface, purpose=purpose, statutory=statutory, subject=subject, on=on
        )
    except AccessRefused as refusal:
        # A purpose not permitted was looked up already; it knows whether it is registered.
        if isinstance(refusal, PurposeNotPermitted):
            known = refusal.purpose
        else:
            known = _registered(purpose)
        current_ledger().refuse(
            user=user, surface=surface, purpose=known.code if known else "", reason=refusal.reason
        )
        raise


def refuse_purpose(*, user, surface: str, purpose: str | None) -> None:
    """Note that `user` was refused `purpose` (a code as sent, perhaps no code at all) where it
    is chosen, not opened: the admin's purpose picker. Audited as `open_access` refuses it."""
    known = _registered(purpose)
    current_ledger().refuse(
        user=user,
        surface=surface,
        purpose=known.code if known else "",
        reason=PurposeNotPermitted.reason,
    )


def _registered(code: str | None) -> Purpose | None:
    """The purpose with this code, whether or not the register in force holds it. A code
    that is no slug is none: it is not even sent to the database (which may refuse some
    characters outright, as PostgreSQL refuses NUL)."""
    if not code or not _SLUG.fullmatch(code):
        return None
    return Purpose.objects.filter(code=code).first()


def _open(*, user, surface, purpose, statutory, subject, on) -> Access:
    # One statement whatever the user holds (`_OPENING`): standing (pledge and training),
    # scope (category and member grants, direct and through groups), and the revision of
    # the register in force, whose parse is kept per process.
    if not user.is_authenticated:
        raise OutOfScope
    opening = _opening(user, on)
    lapsed = refusal_for(pledged=opening.pledged, latest=opening.lapses_on, on=on)
    if lapsed:
        raise StandingLapsed(lapsed)
    granted, has_member_grants = opening.category_ids, opening.has_member_grants
    if subject is not None:
        codes = tuple(Category.objects.values_list("id", "code"))
        return Access(
            user=user,
            surface=surface,
            on=on,
            purpose=None,
            statutory=statutory,
            category_ids=frozenset(dict(codes)),
            member_grant_category_ids=None,
            category_codes=codes,
            subject=subject,
        )
    if not granted and not has_member_grants:
        raise OutOfScope
    # 番号法: a category flagged 個人番号を含む is read only by its designated handlers, and
    # never through the API or an export (`Access.on_surface` drops it there too).
    withheld = opening.my_number_category_ids
    if opening.my_number_handler and surface not in MY_NUMBER_CLOSED_SURFACES:
        withheld = frozenset()
    if granted & withheld and not has_member_grants and not granted - withheld:
        raise MyNumberWithheld(surface)
    granted = granted - withheld
    if statutory is not None:
        codes = tuple(Category.objects.values_list("id", "code"))  # rare: no register asked
        every = frozenset(dict(codes)) - withheld
        return Access(
            user=user,
            surface=surface,
            on=on,
            purpose=None,
            statutory=statutory,
            category_ids=frozenset(granted),
            member_grant_category_ids=every if has_member_grants else None,
            member_ids=opening.member_ids,
            category_codes=codes,
            my_number_category_ids=opening.my_number_category_ids,
        )
    if not purpose:
        raise PurposeMissing
    answer = register.answer_from(opening.digest, purpose=purpose, on=on)
    if answer.purpose is None:  # unknown, or not in the register in force
        raise PurposeNotPermitted(_registered(purpose), on)
    permitted = answer.category_ids
    reachable = permitted if has_member_grants else opening.category_ids & permitted
    if withheld & reachable and not reachable - withheld:
        raise MyNumberWithheld(surface)
    permitted = permitted - withheld
    if not (granted & permitted or (has_member_grants and permitted)):
        raise PurposeNotPermitted(answer.purpose, on)
    return Access(
        user=user,
        surface=surface,
        on=on,
        purpose=answer.purpose,
        statutory=None,
        category_ids=frozenset(granted & permitted),
        member_grant_category_ids=permitted if has_member_grants else None,
        member_ids=opening.member_ids,
        category_codes=tuple(answer.category_codes.items()),
        my_number_category_ids=opening.my_number_category_ids,
    )


@dataclasses.dataclass(frozen=True)
class _Opening:
    """What `_OPENING` reads of one user on one day."""

    pledged: bool
    lapses_on: datetime.date | None
    category_ids: frozenset[int]
    member_ids: frozenset[int]
    digest: str | None
    my_number_category_ids: frozenset[int] = frozenset()
    my_number_handler: bool = False

    @property
    def has_member_grants(self) -> bool:
        return bool(self.member_ids)


# The gate's whole question about the user, in one round trip on every gated request: rows
# of (fact, category id, date, digest), parameters only the user's id and the day. Written
# once, not built by the ORM per request (building it cost more than running it), in SQL
# that PostgreSQL and SQLite both run; the tables are the models' (guardian's direct
# foreign-key permission tables for the scope). The first row casts its NULLs so that every
# branch of the UNION ALL has the same column types.
_OPENING = """
-- standing: a confidentiality pledge signed on or before the day (the row only if one is)
SELECT 'pledge' AS fact, CAST(NULL AS bigint) AS id, CAST(NULL AS date) AS day,
       CAST(NULL AS text) AS digest
 WHERE EXISTS (SELECT 1 FROM safeguards_pledge
                WHERE user_id = %(user)s AND signed_on <= %(on)s)
UNION ALL
-- standing: the latest lapse date of a passed training held by the day (NULL: none)
SELECT 'training', NULL,
       (SELECT MAX(a.lapses_on) FROM safeguards_attendance a
          JOIN safeguards_trainingsession s ON s.id = a.session_id
         WHERE a.user_id = %(user)s AND a.passed AND s.held_on <= %(on)s),
       NULL
UNION ALL
-- scope: the categories granted to the user directly (purposes.handle_category) ...
SELECT 'category', g.content_object_id, NULL, NULL
  FROM safeguards_categoryuserobjectpermission g
  JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_category'
  JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'purposes'
 WHERE g.user_id = %(user)s
UNION ALL
-- ... and through their groups (a category twice is harmless: the gate keeps a set)
SELECT 'category', g.content_object_id, NULL, NULL
  FROM safeguards_categorygroupobjectpermission g
  JOIN auth_user_groups ug ON ug.group_id = g.group_id
  JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_category'
  JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'purposes'
 WHERE ug.user_id = %(user)s
UNION ALL
-- scope: the members granted to the user (records.handle_member), directly ...
SELECT 'member', g.content_object_id, NULL, NULL
  FROM records_memberuserobjectpermission g
  JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_member'
  JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'records'
 WHERE g.user_id = %(user)s
UNION ALL
-- ... and through their groups (a member twice is harmless: the gate keeps a set)
SELECT 'member', g.content_object_id, NULL, NULL
  FROM records_membergroupobjectpermission g
  JOIN auth_user_groups ug ON ug.group_id = g.group_id
  JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_member'
  JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'records'
 WHERE ug.user_id = %(user)s
UNION ALL
-- 番号法: the categories flagged 個人番号を含む (a handful of rows) ...
SELECT 'my_number', id, NULL, NULL FROM purposes_category WHERE includes_my_number
UNION ALL
-- ... and whether the user is designated their handler (the group of Role.MY_NUMBER_HANDLER)
SELECT 'my_number_handler', NULL, NULL, NULL
 WHERE EXISTS (SELECT 1 FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id
                WHERE ug.user_id = %(user)s AND g.name = %(my_number_group)s)
UNION ALL
-- register: the digest of the revision in force on the day (NULL before the first one)
SELECT 'register', NULL, NULL,
       (SELECT digest FROM purposes_noticerevision WHERE effective_on <= %(on)s
         ORDER BY effective_on DESC, number DESC LIMIT 1)
"""


# On PostgreSQL the opening runs as a PL/pgSQL function of the same text, which keeps the
# statement's plan for the life of the session (a persistent connection: CONN_MAX_AGE):
# planning the UNION took 0.9 ms of the statement's 1.1 ms on every gated request. It is
# made again from `_OPENING` after every migrate (`install_opening`), so the two never differ.
# The OUT columns would shadow the tables' `id` and `digest`: the columns win.
_FUNCTION = """
CREATE OR REPLACE FUNCTION gate_opening(bigint, date, text)
RETURNS TABLE (fact text, id bigint, day date, digest text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $body$
#variable_conflict use_column
BEGIN
RETURN QUERY {query};
END
$body$
"""
_ARGUMENTS = ("user", "on", "my_number_group")  # $1, $2, $3


def install_opening(*, using: str, **kwargs) -> None:
    """Make `gate_opening` from `_OPENING` in the main database, on PostgreSQL (post_migrate)."""
    database = connections[using]
    if database.vendor != "postgresql" or not router.allow_migrate_model(using, Member):
        return
    query = _OPENING
    for number, name in enumerate(_ARGUMENTS, start=1):
        query = query.replace(f"%({name})s", f"${number}")
    with database.cursor() as cursor:
        cursor.execute(_FUNCTION.format(query=query))


def _opening(user, on: datetime.date) -> _Opening:
    arguments = {"user": user.pk, "on": on, "my_number_group": str(Role.MY_NUMBER_HANDLER)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT fact, id, day, digest FROM gate_opening(%s, %s, %s)",
                [arguments[name] for name in _ARGUMENTS],
            )
        else:
            cursor.execute(_OPENING, arguments)
        rows = cursor.fetchall()
    facts = {fact: (pk, day, digest) for fact, pk, day, digest in rows}
    lapses_on = facts["training"][1]
    if isinstance(lapses_on, str):  # SQLite returns MAX() of a date as text
        lapses_on = datetime.date.fromisoformat(lapses_on)
    return _Opening(
        pledged="pledge" in facts,
        lapses_on=lapses_on,
        category_ids=frozenset(pk for fact, pk, _day, _digest in rows if fact == "category"),
        member_ids=frozenset(pk for fact, pk, _day, _digest in rows if fact == "member"),
        digest=facts["register"][2],
        my_number_category_ids=frozenset(pk for fact, pk, _d, _g in rows if fact == "my_number"),
        my_number_handler="my_number_handler" in facts,
    )


def choosable_purposes(
    user, *, on: datetime.date | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The purpose picker's groups: each category of `user`'s scope (every category, with a
    member-level grant) by its Japanese name, with the purposes (code, name) the register
    permits for it on the day, in the notice's order; categories with none are left out.
    """
    on = on or timezone.localdate()
    opening = _opening(user, on)  # the scope as the access will read it
    scope, has_member_grants = opening.category_ids, opening.has_member_grants
    if not scope and not has_member_grants:
        return []
    _, categories = register.codes_in_force(on=on)
    codes = set(Category.objects.filter(id__in=scope).values_list("code", flat=True))
    return [
        (category["name"], [(p["code"], p["name"]) for p in category["purposes"]])
        for category in categories
        if category["purposes"] and (has_member_grants or category["code"] in codes)
    ]
