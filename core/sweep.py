"""The SQL side of `core.traces`: the rows whose text may hold a person's values, so that the
erasure's sweep hands only those to the matcher (`Person.redact`), not every row it keeps."""

import json
from functools import reduce
from operator import and_, or_

from django.db.models import Q

from .traces import Person


def may_name(person: Person, fields: tuple[str, ...], *, as_json: bool = False) -> Q:
    """The rows whose `fields` may hold one of the person's values, narrowed in SQL before
    the matcher reads them (`Person.needles`: for some value, each of a few of its characters
    in one of the forms the matcher takes for it, in one field); every row where the person
    has a value the prefilter cannot narrow (one of letters alone), none where no value.
    `as_json`: the fields hold JSON written with its non-ASCII characters escaped (\\uXXXX),
    as Django writes its admin history."""
    needles = person.needles
    if needles is None:
        return Q()
    if not needles:
        return Q(pk__in=[])
    return reduce(
        or_,
        (
            reduce(
                and_,
                (
                    reduce(
                        or_,
                        (
                            Q(**{f"{field}__contains": json.dumps(form)[1:-1] if as_json else form})
                            for form in forms
                        ),
                    )
                    for forms in value
                ),
            )
            for value in needles
            for field in fields
        ),
    )
