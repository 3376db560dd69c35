"""Saving and deleting the rows of the safeguards registers, each with its audit event.

The admin's plain add/change/delete of register rows comes through here, so that no row
changes without an event in the same transaction (DESIGN invariant 2). Workflows with rules
(incidents, inspections, training results) have their own services and call these.
"""

from collections.abc import Iterable

from django.db import models, transaction

from audit.trail import actor_for, append


def _action(obj: models.Model, verb: str) -> str:
    return f"safeguards.{obj._meta.model_name}.{verb}"


def save_register_row(*, obj: models.Model, by, fields: Iterable[str] = ()) -> models.Model:
    """Validate, save and audit one row; `fields` names what changed (never the values)."""
    created = obj._state.adding
    obj.full_clean()
    with transaction.atomic():
        obj.save()
        append(
            action=_action(obj, "created" if created else "changed"),
            actor=actor_for(by),
            target=obj,
            details={"fields": sorted(fields)},
        )
    return obj


def delete_register_row(*, obj: models.Model, by) -> None:
    with transaction.atomic():
        append(action=_action(obj, "deleted"), actor=actor_for(by), target=obj)
        obj.delete()
