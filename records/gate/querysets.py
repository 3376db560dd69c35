"""The gated querysets: what an open access may read (`records`, `members`, `of_members`,
`categories`, `may_hold`), the SQL conditions (a) to (d) that limit them, and their count.

Every row of personal data leaves through a `GatedQuerySet`, which notes it in the ledger
as it is fetched. Nothing here may hand out a queryset of `Member` or `Record` that is not
filtered by an access, or fetch rows the ledger does not see.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.sql.where import AND, OR, WhereNode

from purposes.models import Category, Purpose
from records.models import Consent, Member, Record, Restriction, Tally
from records.sealing import open_records

from .access import Access
from .ledgers import PROTECTED, current_ledger

if TYPE_CHECKING:
    from .filings import DeskAccess


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
    if access.purpose is None:  # statutory: no restriction withholds a row from it
        raise ValueError("a 利用停止 is in force for a purpose: this access has none")
    return (Restriction.Kind.SUSPEND_USE, access.on, access.on, access.purpose.pk)


def _withheld(access: Access) -> _Withheld:
    return _Withheld(_WITHHELD, ("member_id", "category_id"), _in_force(access))


class _Granted(_Condition):
    """The row's column is one of the members granted to the user (`GatedQuerySet.count` finds
    the scope by this class)."""


def _granted(access: Access, column: str = "member_id") -> _Condition:
    """The row's `column` is a member granted to `access`'s user: the ids the opening read
    (`Access.member_ids`), as a list. PostgreSQL reads a list of constants as
    `column = ANY('{...}')`, an index condition also under an OR, and plans it as such, where a
    subquery of the grant tables cost half a millisecond of planning in each statement.
    Called only where the user holds a member grant (`member_grant_category_ids`), so the
    list is never empty."""
    ids = tuple(sorted(access.member_ids))
    return _Granted("{0} IN (" + ", ".join(["%s"] * len(ids)) + ")", (column,), ids)


def _scope(access: Access) -> Q:
    """The condition on a Record row: (a) scope and (b) purpose.

    Whole categories, OR the granted members' records in the other permitted categories:
    the two branches are disjoint, and each is an index condition (the category index;
    the member index with the granted ids), so PostgreSQL combines them
    by a BitmapOr instead of filtering every record of the table against a hashed subplan.
    """
    scope = Q(category_id__in=access.category_ids)
    if access.subject is not None:  # the one person, in every category: nobody else
        return scope & Q(**{f"member__{name}": value for name, value in access.subject.lookups})
    if access.member_grant_category_ids is not None:
        others = access.member_grant_category_ids - access.category_ids
        if others:
            scope |= Q(category_id__in=others) & Q(_granted(access))
    return scope


# The member has a consent (or an opt-out) of a kind for the purpose in force on the day
# (`records.services.consents_in_force`, as SQL around the row's member).
_CONSENTED = """EXISTS (
    SELECT 1 FROM records_consent consent
     WHERE consent.member_id = {0} AND consent.kind = %s AND consent.purpose_id = %s
       AND consent.given_on <= %s
       AND (consent.withdrawn_on IS NULL OR consent.withdrawn_on > %s))"""


def _consent(access: Access) -> Q | None:
    """(d) consent: for a purpose the register in force marks as needing the member's consent
    (APPI Art. 18(1), Art. 17(2)), only the members who gave one; for a purpose of implied
    consent, all but those who opted out; None for the others."""
    purpose = access.purpose
    if purpose is None or not purpose.consent:
        return None
    needed = purpose.consent == Purpose.Consent.EXPLICIT
    kind = Consent.Kind.CONSENT if needed else Consent.Kind.OPT_OUT
    consented = _Condition(_CONSENTED, ("member_id",), (kind, purpose.pk, access.on, access.on))
    return Q(consented) if needed else Q(~consented)


def _readable(access: Access) -> Q:
    """(a) scope and (b) purpose, then (c) restrictions and (d) consent."""
    if access.duty is not None:  # a register about members reads no record
        return Q(pk__in=[])
    if access.statutory is not None:
        return _scope(access)
    # One term of the top-level AND, the negated condition itself (`_without_withheld`).
    readable = _scope(access) & Q(~_withheld(access))
    consent = _consent(access)
    return readable if consent is None else readable & consent


# Whether the row's member is protected on the access's day (`records.Protection`: DV and the
# like), read with the row: the ledger flags the read for the access review (`PROTECTED`)
# without a statement of its own. A page of fifty probes the protections' member index fifty
# times, in the statement that reads the page.
_PROTECTED_MEMBER = """EXISTS (
    SELECT 1 FROM records_protection protection
     WHERE protection.member_id = {0} AND protection.since <= %s
       AND (protection.until IS NULL OR protection.until >= %s))"""


def _protected(access: Access, column: str) -> _Condition:
    return _Condition(_PROTECTED_MEMBER, (column,), (access.on, access.on))


def records(access: Access) -> "GatedQuerySet":
    """The records `access` may read (see `records.gate`'s docstring); lazy, logged when fetched."""
    rows = GatedQuerySet(Record).bind(access).filter(_readable(access))
    return rows.annotate(**{PROTECTED: _protected(access, "member_id")})


def members(access: Access) -> "GatedQuerySet":
    """The members `access` may read: one of their records is visible, or they are granted."""
    rows = GatedQuerySet(Member).bind(access).annotate(**{PROTECTED: _protected(access, "pk")})
    if access.subject is not None:  # shown with no record too: the member row is theirs
        return rows.filter(**dict(access.subject.lookups))
    if access.duty is not None:  # the officer's register: any member it may be about
        return rows
    shown = Q(Exists(Record.objects.filter(_readable(access), member=OuterRef("pk"))))
    if access.member_grant_category_ids is not None:
        shown |= Q(_granted(access, "pk"))
    return rows.filter(shown)


def of_members(access: Access, model: type[models.Model]) -> "GatedQuerySet":
    """Rows of `model` (restrictions, provisions) about the members `access` may read."""
    return GatedQuerySet(model).bind(access).filter(member__in=members(access))


def may_hold(access: Access, *, member: Member, category: Category) -> bool:
    """Whether a record of `member` in `category` would be readable by `access` (a write's
    check: a record may be created in, or moved to, a category of the scope only).
    """
    if access.subject is not None:
        return members(access).filter(pk=member.pk).exists()
    if category.pk in access.category_ids:
        return True
    return (
        category.pk in (access.member_grant_category_ids or frozenset())
        and member.pk in access.member_ids
    )


def categories(access: Access) -> models.QuerySet:
    """The categories whose records `access` may read; holds no personal data, not logged."""
    ids = access.category_ids | (access.member_grant_category_ids or frozenset())
    return Category.objects.filter(id__in=ids)


# The count of `records` in one statement (`GatedQuerySet.count`): the rows in scope (the
# ORM's compiled query, `scope`) from the category index alone or, for whole categories,
# from their tally (`_TALLIED`), less those a 利用停止
# withholds, found by probing the (member, category, date) index with the members whom a
# restriction in force covers in a category of the access (or in every one), each row then
# checked by the page's own `_WITHHELD`. With no such restriction the second part reads
# nothing: the array is empty.
_COUNT = """
SELECT {in_scope}
     - (SELECT COUNT(*) FROM ({scope}) in_scope WHERE {restricted} AND {withheld})"""

_IN_SCOPE = "(SELECT COUNT(*) FROM ({}) in_scope)"

# SUM of a bigint is a numeric: cast back, or the count would reach Python as a Decimal.
_TALLIED = """(SELECT CAST(COALESCE(SUM(rows), 0) AS bigint) FROM {table}
     WHERE category_id IN ({categories}))"""

# Members with a 利用停止 in force for the purpose in one of the access's categories (or in
# every category): a superset of the members whose records `records` withholds.
_RESTRICTED_MEMBERS = """
    SELECT member_id FROM records_restriction
     WHERE kind = %s AND since <= %s AND (until IS NULL OR until >= %s)
       AND (purpose_id IS NULL OR purpose_id = %s)
       AND (category_id IS NULL OR category_id IN ({categories}))"""


class GatedQuerySet(models.QuerySet):
    """A queryset that notes every row it fetches in the current ledger."""

    _access: "Access | DeskAccess | None" = None

    def bind(self, access: "Access | DeskAccess") -> "GatedQuerySet":
        clone = self.all()
        clone._access = access
        return clone

    @property
    def access(self) -> "Access | DeskAccess":
        """The access the rows are read under: every gated queryset is made by `bind`."""
        if self._access is None:
            raise RuntimeError("a GatedQuerySet read without an access: make it with bind()")
        return self._access

    def on_surface(self, surface: str) -> "GatedQuerySet":
        """The same rows, logged as read on another surface (an export from the admin)."""
        return self.bind(self.access.on_surface(surface))

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

        Where the scope is whole categories OR granted members, the rows in scope are counted
        branch by branch (the two are disjoint): under the OR PostgreSQL found no index that
        held both columns but the member index, and read all of it (2,000,000 entries, 600 ms
        at the bench's scale); each branch alone is one index's range.

        On PostgreSQL a branch whose conditions are on the category alone (the scope, the
        admin's category filter; no search, no consent to check) is counted from
        `records_tally` (`Tally`), a few rows a category, instead of the category index's
        range: the receipts' 1.3 million entries took some 80 ms a page to read.
        """
        split = self._split()
        if split is None:
            # Member grants alone reach few rows: their anti-join costs nothing to count.
            return super().count()
        access, unrestricted, branches = split
        # The rows in scope as the ORM compiles them (the admin's filters and search
        # included), then `_COUNT` around them: written once, not built per request.
        database = connections[self.db]
        try:
            scope, scope_params = _rows_sql(unrestricted)
            parts = [_in_scope(branch, database.vendor) for branch in branches]
        except EmptyResultSet:  # a condition no row can meet (a search longer than the field)
            return 0
        ids = sorted(access.category_ids | (access.member_grant_category_ids or frozenset()))
        restricted = _RESTRICTED_MEMBERS.replace("{categories}", ", ".join(["%s"] * len(ids)))
        any_of = "= ANY(ARRAY({}))" if database.vendor == "postgresql" else "IN ({})"
        sql = _COUNT.format(
            in_scope=" + ".join(part for part, _params in parts),
            scope=scope,
            restricted=f"in_scope.member_id {any_of.format(restricted)}",
            withheld=_WITHHELD.format("in_scope.member_id", "in_scope.category_id"),
        )
        params = (
            *(param for _part, part_params in parts for param in part_params),
            *scope_params,
            *_in_force(access),
            *ids,
            *_in_force(access),
        )
        with database.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def tallied(self) -> bool:
        """Whether `count` takes the whole categories' rows in scope from their tally: then it
        is exact at the cost of a few rows, however long the list (the admin's long lists
        estimate only where it is not: `records.gated_admin.EstimatedCountPaginator`)."""
        split = self._split()
        if split is None or connections[self.db].vendor != "postgresql":
            return False
        # The whole categories' branch comes first; the other, if any, is members granted.
        _access, _unrestricted, branches = split
        return _whole_categories(branches[0]) is not None

    def _split(self) -> "tuple[Access, GatedQuerySet, list[GatedQuerySet]] | None":
        """How `count` splits these rows, or None where it counts them as Django does: their
        access, the rows without the restriction condition, and their scope's branches (whole
        categories, then members granted; the rows alone where the scope has no OR)."""
        unrestricted = self._without_withheld()
        access = self.access
        if (
            unrestricted is None  # not `records` (only they carry the condition)
            or not isinstance(access, Access)
            or not access.category_ids
            or self.query.is_empty()
        ):
            return None
        return access, unrestricted, _scope_branches(unrestricted) or [unrestricted]

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
        clone = self.all()
        clone.query.where.children = kept
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching:
            current_ledger().note(self.access, self._result_cache)
            if self.model is Record:
                # The rows handed out, and only those, are opened: one key store look-up.
                open_records(row for row in self._result_cache if isinstance(row, Record))

    def iterator(self, chunk_size=None) -> Iterator:
        ledger, access = current_ledger(), self.access
        batch: list = []
        for row in super().iterator(chunk_size):
            ledger.note(access, [row])
            batch.append(row)
            if len(batch) >= (chunk_size or 2000):
                yield from self._opened(batch)
                batch = []
        yield from self._opened(batch)

    def _opened(self, rows: list) -> list:
        if self.model is Record:
            open_records(row for row in rows if isinstance(row, Record))
        return rows


def _in_scope(rows: GatedQuerySet, vendor: str) -> tuple[str, tuple]:
    """SQL for how many `rows` there are: from the tally where they are whole categories on
    PostgreSQL (its triggers keep it), else by counting them."""
    categories = _whole_categories(rows) if vendor == "postgresql" else None
    if categories is None:
        sql, params = _rows_sql(rows)
        return _IN_SCOPE.format(sql), params
    if not categories:  # a filter for a category outside the scope
        return "0", ()
    ids = tuple(sorted(categories))
    marks = ", ".join(["%s"] * len(ids))
    return _TALLIED.format(table=Tally._meta.db_table, categories=marks), ids


def _whole_categories(rows: GatedQuerySet) -> frozenset[int] | None:
    """The categories whose every record `rows` holds, where each of its conditions is on the
    category alone (the scope's `category_id IN (...)`, the admin's filter `category_id =
    ...`); None where another condition narrows it (a search, a filter, consent)."""
    where = rows.query.where
    if where.negated or where.connector != AND or not where.children:
        return None
    categories: frozenset[int] | None = None
    for term in where.children:
        if not (
            isinstance(term, RelatedIn | RelatedExact)
            and term.lhs.target.column == "category_id"
            and term.lhs.alias == Record._meta.db_table
        ):
            return None
        if isinstance(term, RelatedExact) and isinstance(term.rhs, int):
            ids = frozenset([term.rhs])
        elif isinstance(term, RelatedIn) and isinstance(term.rhs, list | tuple | set | frozenset):
            ids = frozenset(term.rhs)  # ids, not a subquery
        else:
            return None
        categories = ids if categories is None else categories & ids
    return categories


def _rows_sql(rows: GatedQuerySet) -> tuple[str, tuple]:
    """The (member, category) pairs of `rows`, as SQL and parameters."""
    return rows.order_by().values("member_id", "category_id").query.sql_with_params()


def _scope_branches(rows: GatedQuerySet) -> list[GatedQuerySet]:
    """`rows` once with each branch of `_scope`'s OR (whole categories; granted members in the
    other categories) in place of the OR, or [] where the scope has no such OR."""
    where = rows.query.where
    for position, term in enumerate(where.children):
        if (
            isinstance(term, WhereNode)
            and term.connector == OR
            and not term.negated
            and len(term.children) == 2
            and isinstance(term.children[1], WhereNode)
            and any(
                isinstance(getattr(part, "lhs", None), _Granted)
                for part in term.children[1].children
            )
        ):
            branches = []
            for branch in term.children:
                clone = rows.all()
                children = list(where.children)
                children[position] = branch
                clone.query.where.children = children
                branches.append(clone)
            return branches
    return []
