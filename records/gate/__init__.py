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
      (`member_id IN (...)` the ids the opening read from the direct-FK member tables, as it
      read the categories: PostgreSQL probes the records' member index with the list, also
      where it is OR'd with the categories; such a grant covers that member's records in
      every category);
  (b) purpose: only categories that the published register permits for the purpose on the
      day (Asia/Tokyo), as `purposes.register` answers;
  (c) restrictions: not the records of a member whose 利用停止 in force that day covers
      the record's category (or every category) and the purpose (or every purpose);
  (d) consent: for a purpose the register in force marks as needing consent (APPI Art.
      18(1), or added unrelated to the old ones, Art. 17(2)), only the records of members
      with a consent to it in force that day (`records.Consent`); for a purpose of implied
      consent, not those of members whose opt-out is in force;
  a member is shown when one of their records is, or when the member is granted.

Refusals
  `open_access` raises a subclass of `AccessRefused` (a `PermissionDenied`, so a 403)
  whose message says in Japanese why and what to do: `PurposeMissing`, `PurposeNotPermitted`,
  `OutOfScope` (the user has no scope at all), `MyNumberWithheld` (番号法: every category
  asked for is flagged 個人番号を含む and the user is not a designated 個人番号事務取扱担当者,
  or the surface is the API or an export, which never carry such a category; a partial
  overlap just leaves those categories out), `StandingLapsed` (no confidentiality pledge,
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
  user states the ground and a reason. Scope still applies; the purpose limit, the
  restrictions and consent do not (a use the Act itself allows is neither outside the
  purposes nor in breach of them). The event is flagged (`statutory: true`, the ground's
  code); the reason, free text, is kept in `safeguards.StatutoryAccessReason` under the
  event's seq.
  With `subject=Subject(filing=, lookups=)` as well, the access reads the one person a
  filing is about in every category, whatever the user's scope (answering an Art. 32-35
  request: `disclosure.access` decides who may); its event's target is the filing.

Matching
  `match_insured(symbol=, number=, target=, by=)` is the one read outside an access: it
  links something a person filed (a complaint, from the public form or the desk) to the
  insured person (本人) whose 記号・番号 it names. It answers a primary key or None, never
  a row, and appends `access.matched` (actor: the staff member who typed the number, or the
  system for the public form; target: what was filed; details: the fields compared,
  whether it matched, the member's id) in the caller's transaction, apart from the
  `access.read` events of the access review. The caller shows whether it linked only to
  staff whose access shows that member. `names_insured(dependent=, name=, kana=, target=,
  by=)` answers whether a filing about a dependent names the card's insured person instead
  (an insured person asking about an adult dependent as 本人), with the same event.

Where it lives
  `records.gate` is a package, one module per topic; callers import the package (`from
  records import gate`) and use the names it exports below, whichever module holds them:
    `access`     `Access`, `Surface`, `Statutory`, `Subject`: what an access is
    `opening`    `open_access`, the refusals and the one-statement opening query;
                 `choosable_purposes`; `open_protections`, the privacy officer's access
                 to the register of protections (by role: members' own rows, no record)
    `querysets`  `records`, `members`, `of_members`, `categories`, `may_hold`, `GatedQuerySet`:
                 the conditions (a) to (d) as SQL, and the count
    `ledgers`    `Ledger`, `ledger`: the reads and refusals, and their events
    `matching`   `match_insured`, `names_insured`
    `filings`    `open_desk`, `OutOfDesk`, `DeskAccess`, `filings`, `may_handle`,
                 `subject_desk`: what people filed, for the staff of the desk (below)

Filings
  Requests, complaints, identity documents and letters are read only through
  `filings(open_desk(user=, desk=), rows)`: the desk (`safeguards.Desk`: requests or
  complaints) must be in the user's scope, granted like a category, or the user the privacy
  officer, and in good standing (pledge, training); otherwise `OutOfDesk` or
  `StandingLapsed`, audited like the other refusals. Each page that fetched
  filings appends one `access.read` event: the desk, the rows by model (`filings`), the
  members they are linked to. `subject_desk(access, desk=)` reads another desk's filings
  about the one person of a subject access (an Art. 33 package holds the complaints kept
  about them, whoever carries it out), logged under the request.
"""

from .access import MY_NUMBER_CLOSED_SURFACES, PROTECTIONS, Access, Statutory, Subject, Surface
from .filings import DeskAccess, OutOfDesk, filings, may_handle, open_desk, subject_desk
from .ledgers import Ledger, ledger
from .matching import match_insured, names_insured
from .opening import (
    AccessRefused,
    MyNumberWithheld,
    NotTheOfficer,
    OutOfScope,
    PurposeMissing,
    PurposeNotPermitted,
    StandingLapsed,
    choosable_purposes,
    holds_scope,
    open_access,
    open_protections,
    refuse_purpose,
)
from .querysets import GatedQuerySet, categories, may_hold, members, of_members, records

__all__ = [
    "MY_NUMBER_CLOSED_SURFACES",
    "PROTECTIONS",
    "Access",
    "AccessRefused",
    "DeskAccess",
    "GatedQuerySet",
    "Ledger",
    "MyNumberWithheld",
    "NotTheOfficer",
    "OutOfDesk",
    "OutOfScope",
    "PurposeMissing",
    "PurposeNotPermitted",
    "StandingLapsed",
    "Statutory",
    "Subject",
    "Surface",
    "categories",
    "choosable_purposes",
    "filings",
    "holds_scope",
    "ledger",
    "match_insured",
    "may_handle",
    "may_hold",
    "members",
    "names_insured",
    "of_members",
    "open_access",
    "open_desk",
    "open_protections",
    "records",
    "refuse_purpose",
    "subject_desk",
]
