"""What every write appends: who acted, and a changed value as the trail keeps it (a digest)."""

from audit.trail import keyed_digest


def value_digest(value) -> str:
    """A changed field's value as the trail keeps it: a keyed digest (`audit.trail`)."""
    return keyed_digest(value, purpose="kumiai.records.audit")


def changed_digests(before: dict, after: dict) -> dict:
    """{field: {"old": digest, "new": digest}} for the fields whose values differ."""
    return {
        field: {"old": value_digest(before.get(field)), "new": value_digest(after.get(field))}
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }
