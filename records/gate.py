"""The gate: the one way to read members and records for a person (DESIGN, invariant 1).

Nothing else may query `Member` or `Record`, on a user's behalf or the system's. A surface
(the admin, the API, an export, a disclosure package) opens an *access* for the signed-in
user and then reads only through the querysets that access hands out::

    access = gate.open_access(user=request.user, surface=gate.Surface.API, purpose="code")
    gate.records(access)     # Record rows the user may read for that purpose, that day
    gate.members(access)     # the members those records, or a member-level grant, show
    gate.categories(access)  # the in-scope categories the purpose permits (filters, pickers)
    gate.of_members(access, Restriction)  # rows about the members `gate.members` shows

What the querysets keep
  (a) scope: records whose `category_id IN (...)` the categories granted to the user,
      directly or through a group (`safeguards.scopes`), or of a member granted to the user
      (`member_id = ANY(ARRAY(...))` of the direct-FK member tables: PostgreSQL evaluates
      the array once and probes the records' member index with it, also where it is OR'd
      with the categories; such a grant covers that member's records in every category);
  (b) purpose: only categories that the published register permits for the purpose on the
      day (Asia/Tokyo), as `purposes.register` answers;
  (c) restrictions: not the records of a member whose 利用停止 in force that day covers
      the record's category (or every category) and the purpose (or every purpose);
  a member is shown when one of their records is, or when the member is granted.

Refusals
  `open_access` raises a subclass of `AccessRefused` (a `PermissionDenied`, so a 403)
  whose message says in Japanese why and what to do: `PurposeMissing`, `PurposeNotPermitted`,
  `OutOfScope` (the user has no scope at all), `StandingLapsed` (no confidentiality pledge,
  or training lapsed: `safeguards.standing.handling_refusal`). A single object outside the
  access is not a refusal: it is simply not in the queryset, so surfaces answer "not found",
  with no hint that it exists. Each refusal appends `access.refused` with its reason code;
  the event is committed even when the request's own transaction is rolled back.

The access event
  Querysets are lazy, so nothing is logged until rows are fetched. Each fetch notes the
  rows (member ids, category codes, count) in the request's ledger, and `records.middleware.
  GateLedgerMiddleware`, which wraps the whole request (view and template rendering) in one
  transaction, appends ONE `access.read` event per request and access before it commits.
  A request that fetched no gated row appends none; a request that fails (an exception, or
  a 5xx response) is rolled back with its event. Outside a request (commands), wrap the
  reads in `with gate.ledger():`. Fetching gated rows with no ledger open raises
  `RuntimeError`, so no read goes unlogged. Rows fetched as `values()` count towards the
  row total but carry no ids: surfaces read model instances.

Statutory exceptions (APPI Art. 18(3))
  `open_access(..., statutory=Statutory(ground=..., reason=...))` instead of a purpose: the
  user states the ground and a reason. Scope still applies; the purpose limit and the
  restrictions do not (a use the Act itself allows is neither outside the purposes nor in
  breach of them). The event is flagged (`statutory: true`, the ground's code); the reason,
  free text, is kept in `safeguards.StatutoryAccessReason` under the event's seq.

System matching
  `match_insured(symbol=, number=, target=)` is the one read with no signed-in user: the
  system links something a person filed (a complaint, from the public form or the desk) to
  the insured person (本人) whose 記号・番号 it names. It answers a primary key or None,
  never a row, and appends `access.matched` (actor: the system; target: what was filed;
  details: the fields compared, whether it matched, the member's id) in the caller's
  transaction, apart from the `access.read` events of the access review.
"""

import contextvars
import dataclasses
import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection, connections, models, transaction
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q
from django.db.models.sql.where import AND
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.trail import SYSTEM, Actor, actor_for, append
from purposes import register
from purposes.models import Category, Purpose
from safeguards.models import StatutoryAccessReason, StatutoryGround
from safeguards.scopes import grant_rows
from safeguards.standing import refusal_for

from .models import Member, Record, Restriction

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,64}")  # Purpose.code is a SlugField of 64


class Surface(models.TextChoices):
    ADMIN = "admin", _("管理画面")
    API = "api", _("API")
    EXPORT = "export", _("CSV 出力")
    DISCLOSURE = "disclosure", _("開示")


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


class OutOfScope(AccessRefused):
    reason = "out_of_scope"

    def __init__(self):
        super().__init__(
            _(
                "あなたには取り扱う個人データの範囲（担当）が割り当てられていません。"
                "必要な場合は個人情報取扱責任者に担当の割当てを依頼してください。"
            )
        )


@dataclasses.dataclass(frozen=True)
class Statutory:
    """A read under APPI Art. 18(3): the ground (a `StatutoryGround`) and the stated reason."""

    ground: str
    reason: str

    def __post_init__(self):
        if self.ground not in StatutoryGround.values or not self.reason.strip():
            raise ValueError("a statutory access needs a known ground and a reason")


@dataclasses.dataclass(frozen=True)
class Access:
    """What one surface may read for one user, for one purpose (or statutory ground), one day."""

    user: object
    surface: str
    on: datetime.date
    purpose: Purpose | None
    statutory: Statutory | None
    category_ids: frozenset[int]  # granted and permitted for the purpose
    member_grant_category_ids: frozenset[int] | None  # None: the user holds no member grant
    category_codes: tuple[tuple[int, str], ...]

    @property
    def purpose_code(self) -> str:
        return self.purpose.code if self.purpose else ""

    def on_surface(self, surface: str) -> "Access":
        return dataclasses.replace(self, surface=surface)


def open_access(
    *,
    user,
    surface: str,
    purpose: str | None = None,
    statutory: Statutory | None = None,
    on: datetime.date | None = None,
) -> Access:
    """Check that `user` may read for `purpose` (a code) or `statutory`, and return the access.

    Raises `PurposeMissing`, `PurposeNotPermitted` or `OutOfScope`, audited.
    """
    on = on or timezone.localdate()
    try:
        return _open(user=user, surface=surface, purpose=purpose, statutory=statutory, on=on)
    except AccessRefused as refusal:
        known = purpose if _registered(purpose) else ""
        _current_ledger().refuse(user=user, surface=surface, purpose=known, reason=refusal.reason)
        raise


def _registered(code: str | None) -> Purpose | None:
    """The purpose with this code, whether or not the register in force holds it. A code
    that is no slug is none: it is not even sent to the database (which may refuse some
    characters outright, as PostgreSQL refuses NUL)."""
    if not code or not _SLUG.fullmatch(code):
        return None
    return Purpose.objects.filter(code=code).first()


def _open(*, user, surface, purpose, statutory, on) -> Access:
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
    if not granted and not has_member_grants:
        raise OutOfScope
    if statutory is not None:
        codes = tuple(Category.objects.values_list("id", "code"))  # rare: no register asked
        every = frozenset(dict(codes))
        return Access(
            user=user,
            surface=surface,
            on=on,
            purpose=None,
            statutory=statutory,
            category_ids=frozenset(granted),
            member_grant_category_ids=every if has_member_grants else None,
            category_codes=codes,
        )
    if not purpose:
        raise PurposeMissing
    answer = register.answer_from(opening.digest, purpose=purpose, on=on)
    if answer.purpose is None:  # unknown, or not in the register in force
        raise PurposeNotPermitted(_registered(purpose), on)
    permitted = answer.category_ids
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
        category_codes=tuple(answer.category_codes.items()),
    )


@dataclasses.dataclass(frozen=True)
class _Opening:
    """What `_OPENING` reads of one user on one day."""

    pledged: bool
    lapses_on: datetime.date | None
    category_ids: frozenset[int]
    has_member_grants: bool
    digest: str | None


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
-- scope: whether any member is granted (records.handle_member), directly or through a
-- group; the row only if so, and no ids: the page's own query reads them
SELECT 'member', NULL, NULL, NULL
 WHERE EXISTS (SELECT 1 FROM records_memberuserobjectpermission g
                 JOIN auth_permission p ON p.id = g.permission_id
                  AND p.codename = 'handle_member'
                 JOIN django_content_type t ON t.id = p.content_type_id
                  AND t.app_label = 'records'
                WHERE g.user_id = %(user)s)
    OR EXISTS (SELECT 1 FROM records_membergroupobjectpermission g
                 JOIN auth_user_groups ug ON ug.group_id = g.group_id
                 JOIN auth_permission p ON p.id = g.permission_id
                  AND p.codename = 'handle_member'
                 JOIN django_content_type t ON t.id = p.content_type_id
                  AND t.app_label = 'records'
                WHERE ug.user_id = %(user)s)
UNION ALL
-- register: the digest of the revision in force on the day (NULL before the first one)
SELECT 'register', NULL, NULL,
       (SELECT digest FROM purposes_noticerevision WHERE effective_on <= %(on)s
         ORDER BY effective_on DESC, number DESC LIMIT 1)
"""


def _opening(user, on: datetime.date) -> _Opening:
    with connection.cursor() as cursor:
        cursor.execute(_OPENING, {"user": user.pk, "on": on})
        rows = cursor.fetchall()
    facts = {fact: (pk, day, digest) for fact, pk, day, digest in rows}
    lapses_on = facts["training"][1]
    if isinstance(lapses_on, str):  # SQLite returns MAX() of a date as text
        lapses_on = datetime.date.fromisoformat(lapses_on)
    return _Opening(
        pledged="pledge" in facts,
        lapses_on=lapses_on,
        category_ids=frozenset(pk for fact, pk, _day, _digest in rows if fact == "category"),
        has_member_grants="member" in facts,
        digest=facts["register"][2],
    )


def _scope_of(user) -> tuple[set[int], bool]:
    """The ids of the categories granted to `user`, and whether any member is: one query,
    the UNION of the four grant tables (categories and members, direct and via groups).
    """
    categories = grant_rows(user, Category, tag="c")
    members = grant_rows(user, Member, tag="m", ids=False)
    rows = categories[0].union(*categories[1:], *members)
    granted, has_member_grants = set(), False
    for tag, pk in rows:
        if tag == "c":
            granted.add(pk)
        else:
            has_member_grants = True
    return granted, has_member_grants


def choosable_purposes(user, *, on: datetime.date | None = None) -> list[Purpose]:
    """The purposes the register allows for some category in `user`'s scope (the picker)."""
    scope, has_member_grants = _scope_of(user)
    if has_member_grants:
        scope = set(Category.objects.values_list("id", flat=True))
    if not scope:
        return []
    return register.purposes_for(category_ids=scope, on=on or timezone.localdate())


class _Condition(Expression):
    """A condition on a row written once as SQL, around the row's columns: `sql` holds `{0}`,
    `{1}`... for `columns` (compiled against the query the condition is used in, inside a
    subquery too) and `%s` for `params`. Building and compiling it costs a format, where the
    same condition as a filtered queryset in an `Exists` cost the ORM a millisecond a page.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, sql: str, columns: tuple[str, ...], params: tuple, *, postgresql=None):
        super().__init__()
        self.sql, self.postgresql, self.params = sql, postgresql or sql, params
        self.columns = [F(column) for column in columns]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection, sql=None):
        columns = [compiler.compile(column) for column in self.columns]
        assert not any(params for _sql, params in columns), "columns only"
        return (sql or self.sql).format(*(sql for sql, _params in columns)), self.params

    def as_postgresql(self, compiler, connection):
        return self.as_sql(compiler, connection, sql=self.postgresql)


# A row whose member has a 利用停止 in force on the day covering the row's category (or every
# category) and the purpose (or every purpose): `records` keeps the others. Each row probes
# the restrictions' (member, kind) index; on a page of fifty that is fifty probes.
_WITHHELD = """EXISTS (
    SELECT 1 FROM records_restriction withheld
     WHERE withheld.member_id = {0} AND withheld.kind = %s AND withheld.since <= %s
       AND (withheld.until IS NULL OR withheld.until >= %s)
       AND (withheld.purpose_id IS NULL OR withheld.purpose_id = %s)
       AND (withheld.category_id IS NULL OR withheld.category_id = {1}))"""


class _Withheld(_Condition):
    """`_WITHHELD` on a row of records (`GatedQuerySet.count` finds it by its class)."""


def _in_force(access: Access) -> tuple:
    """The parameters of a 利用停止 in force on `access`'s day for its purpose."""
    return (Restriction.Kind.SUSPEND_USE, access.on, access.on, access.purpose.pk)


def _withheld(access: Access) -> _Withheld:
    return _Withheld(_WITHHELD, ("member_id", "category_id"), _in_force(access))


# The members granted to the user (records.handle_member), directly or through a group. On
# PostgreSQL `column = ANY(ARRAY(...))`: the planner runs the ARRAY once (an InitPlan) and
# uses the array as an index condition, also under an OR, where an IN subquery is a
# semi-join only at the top of an AND and under an OR a filter checked on every row. One
# UNION, not two conditions OR'd, for the same reason.
_GRANTED_MEMBERS = """
    SELECT g.content_object_id FROM records_memberuserobjectpermission g
      JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_member'
      JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'records'
     WHERE g.user_id = %s
    UNION
    SELECT g.content_object_id FROM records_membergroupobjectpermission g
      JOIN auth_user_groups ug ON ug.group_id = g.group_id
      JOIN auth_permission p ON p.id = g.permission_id AND p.codename = 'handle_member'
      JOIN django_content_type t ON t.id = p.content_type_id AND t.app_label = 'records'
     WHERE ug.user_id = %s"""


def _granted(access: Access, column: str = "member_id") -> _Condition:
    """The row's `column` is a member granted to `access`'s user."""
    return _Condition(
        "{0} IN (" + _GRANTED_MEMBERS + ")",
        (column,),
        (access.user.pk, access.user.pk),
        postgresql="{0} = ANY(ARRAY(" + _GRANTED_MEMBERS + "))",
    )


def _scope(access: Access) -> Q:
    """The condition on a Record row: (a) scope and (b) purpose.

    Whole categories, OR the granted members' records in the other permitted categories:
    the two branches are disjoint, and each is an index condition (the category index;
    the member index with `member_id = ANY(ARRAY(grants))`), so PostgreSQL combines them
    by a BitmapOr instead of filtering every record of the table against a hashed subplan.
    """
    scope = Q(category_id__in=access.category_ids)
    if access.member_grant_category_ids is not None:
        others = access.member_grant_category_ids - access.category_ids
        if others:
            scope |= Q(category_id__in=others) & _granted(access)
    return scope


def _readable(access: Access) -> Q:
    """(a) scope and (b) purpose, then (c) restrictions."""
    if access.statutory is not None:
        return _scope(access)
    return _scope(access) & ~_withheld(access)


def records(access: Access) -> "GatedQuerySet":
    """The records `access` may read (see the module's docstring); lazy, logged when fetched."""
    return GatedQuerySet(Record).bind(access).filter(_readable(access))


def members(access: Access) -> "GatedQuerySet":
    """The members `access` may read: one of their records is visible, or they are granted."""
    shown = Exists(Record.objects.filter(_readable(access), member=OuterRef("pk")))
    if access.member_grant_category_ids is not None:
        shown |= _granted(access, "pk")
    return GatedQuerySet(Member).bind(access).filter(shown)


def of_members(access: Access, model: type[models.Model]) -> "GatedQuerySet":
    """Rows of `model` (restrictions, provisions) about the members `access` may read."""
    return GatedQuerySet(model).bind(access).filter(member__in=members(access))


def may_hold(access: Access, *, member: Member, category: Category) -> bool:
    """Whether a record of `member` in `category` would be readable by `access` (a write's
    check: a record may be created in, or moved to, a category of the scope only).
    """
    if category.pk in access.category_ids:
        return True
    return (
        category.pk in (access.member_grant_category_ids or frozenset())
        and Member.objects.filter(_granted(access, "pk"), pk=member.pk).exists()
    )


def match_insured(*, symbol: str, number: str, target: models.Model) -> int | None:
    """The id of the one insured person (本人) with this 記号・番号, or None; audited.

    For the system's own matching, with no user, no purpose and no scope: whoever filed
    `target` (a saved row, the event's target) named a card, and the society links the
    filing to its holder. Only the id comes back, so nothing of the member is read out,
    and only when exactly one 本人 holds the number: where two do (a register to be put
    right), a guess could link the wrong person. Appends `access.matched` in the caller's
    transaction; the details name the fields compared, never their values. A blank
    symbol or number is not looked up and leaves no event.
    """
    if target.pk is None:
        raise ValueError("a match is recorded against a saved target")
    if not (symbol and number):
        return None
    with transaction.atomic(savepoint=False):  # the match and its event, or neither
        ids = list(
            Member.objects.filter(
                symbol=symbol, number=number, relationship=Member.Relationship.SELF
            ).values_list("pk", flat=True)[:2]
        )
        member_id = ids[0] if len(ids) == 1 else None
        append(
            action="access.matched",
            actor=Actor(SYSTEM),
            target=target,
            details={
                "fields": ["number", "symbol"],
                "matched": member_id is not None,
                "members": [member_id] if member_id is not None else [],
            },
        )
    return member_id


def categories(access: Access) -> models.QuerySet:
    """The categories whose records `access` may read; holds no personal data, not logged."""
    ids = access.category_ids | (access.member_grant_category_ids or frozenset())
    return Category.objects.filter(id__in=ids)


# The count of `records` in one statement (`GatedQuerySet.count`): the rows in scope (the
# ORM's compiled query, `scope`) from the category index alone, less those a 利用停止
# withholds, found by probing the (member, category, date) index with the members whom a
# restriction in force covers in a category of the access (or in every one), each row then
# checked by the page's own `_WITHHELD`. With no such restriction the second part reads
# nothing: the array is empty.
_COUNT = """
SELECT (SELECT COUNT(*) FROM ({scope}) in_scope)
     - (SELECT COUNT(*) FROM ({scope}) in_scope WHERE {restricted} AND {withheld})"""

# Members with a 利用停止 in force for the purpose in one of the access's categories (or in
# every category): a superset of the members whose records `records` withholds.
_RESTRICTED_MEMBERS = """
    SELECT member_id FROM records_restriction
     WHERE kind = %s AND since <= %s AND (until IS NULL OR until >= %s)
       AND (purpose_id IS NULL OR purpose_id = %s)
       AND (category_id IS NULL OR category_id IN ({categories}))"""


class GatedQuerySet(models.QuerySet):
    """A queryset that notes every row it fetches in the current ledger."""

    _access: Access | None = None

    def bind(self, access: Access) -> "GatedQuerySet":
        clone = self._chain()
        clone._access = access
        return clone

    def on_surface(self, surface: str) -> "GatedQuerySet":
        """The same rows, logged as read on another surface (an export from the admin)."""
        return self.bind(self._access.on_surface(surface))

    def _clone(self):
        clone = super()._clone()
        clone._access = self._access
        return clone

    def count(self) -> int:
        """As `QuerySet.count`; for records, (rows in scope) − (rows a restriction withholds).

        COUNT(*) with the restrictions' anti-join needs each row's member_id, which the
        category index does not hold: PostgreSQL then reads the whole member index, ten
        times the plain count over a million receipts (an index on (category, member) only
        halves that: it still probes every row in scope). So, in one statement, the rows in
        scope are counted from the category index alone, and the withheld ones by probing
        the (member, category, date) index with the restricted members only
        (`member_id = ANY(...)`), each then checked by the same EXISTS the page uses.
        """
        unrestricted = self._without_withheld()
        access = self._access
        if unrestricted is None or not access.category_ids or self.query.is_empty():
            # Member grants alone reach few rows: their anti-join costs nothing to count.
            return super().count()
        # The rows in scope as the ORM compiles them (the admin's filters and search
        # included), then `_COUNT` around them: written once, not built per request.
        try:
            scope, scope_params = (
                unrestricted.order_by().values("member_id", "category_id").query.sql_with_params()
            )
        except EmptyResultSet:  # a condition no row can meet (a search longer than the field)
            return 0
        ids = sorted(access.category_ids | (access.member_grant_category_ids or frozenset()))
        restricted = _RESTRICTED_MEMBERS.replace("{categories}", ", ".join(["%s"] * len(ids)))
        database = connections[self.db]
        any_of = "= ANY(ARRAY({}))" if database.vendor == "postgresql" else "IN ({})"
        sql = _COUNT.format(
            scope=scope,
            restricted=f"in_scope.member_id {any_of.format(restricted)}",
            withheld=_WITHHELD.format("in_scope.member_id", "in_scope.category_id"),
        )
        params = (*scope_params, *scope_params, *_in_force(access), *ids, *_in_force(access))
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def _without_withheld(self) -> "GatedQuerySet | None":
        """This queryset without `records`' restriction condition, or None where the count
        cannot be split: the condition is not one of the top-level AND's terms (the rows
        were combined with others), or the rows are sliced, grouped or already fetched.
        """
        query = self.query
        if (
            self._result_cache is not None
            or query.is_sliced
            or query.combinator
            or query.group_by is not None
            or query.where.connector != AND
            or query.where.negated
            or query.distinct  # the rows in scope are read as (member, category) pairs
        ):
            return None
        terms = query.where.children
        kept = [
            term
            for term in terms
            if not isinstance(getattr(getattr(term, "lhs", None), "expression", None), _Withheld)
        ]
        if len(kept) != len(terms) - 1:
            return None
        clone = self._chain()
        clone.query.where.children = kept
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching:
            _current_ledger().note(self._access, self._result_cache)

    def iterator(self, chunk_size=None) -> Iterator:
        ledger = _current_ledger()
        for row in super().iterator(chunk_size):
            ledger.note(self._access, [row])
            yield row


@dataclasses.dataclass
class _Reads:
    member_ids: set[int] = dataclasses.field(default_factory=set)
    category_ids: set[int] = dataclasses.field(default_factory=set)
    rows: int = 0


class Ledger:
    """What one request (or one `with ledger():` block) read through the gate, and refused."""

    def __init__(self):
        self.reads: dict[Access, _Reads] = {}
        self.refusals: list[dict] = []

    def note(self, access: Access, rows) -> None:
        if not rows:
            return
        reads = self.reads.setdefault(access, _Reads())
        reads.rows += len(rows)
        for row in rows:
            if isinstance(row, Member):
                reads.member_ids.add(row.pk)
                reads.category_ids |= access.category_ids
            elif isinstance(row, models.Model):  # a record, restriction or provision
                reads.member_ids.add(row.member_id)
                if row.category_id is not None:
                    reads.category_ids.add(row.category_id)

    def refuse(self, *, user, surface: str, purpose: str, reason: str) -> None:
        self.refusals.append(
            {"user": user, "surface": surface, "purpose": purpose, "reason": reason}
        )

    def abandon(self) -> None:
        """Forget the reads and roll back the ledger's transaction (the request failed)."""
        self.reads.clear()
        transaction.set_rollback(True)

    def append_reads(self) -> None:
        for access, reads in self.reads.items():
            codes = dict(access.category_codes)  # as the register published them
            missing = reads.category_ids - codes.keys()  # a category added since: rare
            if missing:
                codes |= dict(Category.objects.filter(id__in=missing).values_list("id", "code"))
            details = {
                "surface": access.surface,
                "members": sorted(reads.member_ids),
                "categories": sorted(codes[i] for i in reads.category_ids),
                "rows": reads.rows,
            }
            if access.statutory:
                details |= {"statutory": True, "ground": access.statutory.ground}
            event = append(
                action="access.read",
                actor=actor_for(access.user),
                purpose=access.purpose_code,
                details=details,
            )
            if access.statutory:
                StatutoryAccessReason.objects.create(
                    event_seq=event.seq,
                    ground=access.statutory.ground,
                    reason=access.statutory.reason,
                )
        self.reads.clear()

    def append_refusals(self) -> None:
        for refusal in self.refusals:
            append(
                action="access.refused",
                actor=actor_for(refusal["user"]),
                purpose=refusal["purpose"],
                details={"surface": refusal["surface"], "reason": refusal["reason"]},
            )
        self.refusals.clear()


_ledger: contextvars.ContextVar[Ledger] = contextvars.ContextVar("gate_ledger")


def _current_ledger() -> Ledger:
    try:
        return _ledger.get()
    except LookupError:
        raise RuntimeError(
            "gated rows read outside a ledger: use GateLedgerMiddleware or `with gate.ledger():`"
        ) from None


@contextmanager
def ledger() -> Iterator[Ledger]:
    """Read through the gate inside one transaction that ends with the access events.

    Refusals are appended after the transaction, in their own, so that they are kept even
    when the block fails and rolls back.
    """
    current = Ledger()
    token = _ledger.set(current)
    try:
        with transaction.atomic():
            yield current
            current.append_reads()
    finally:
        _ledger.reset(token)
        current.append_refusals()
