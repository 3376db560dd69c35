"""Saving and deleting a register row edited by hand, each with its audit event.

The admin's plain add, change and delete of the registers (the purpose register and the
notice's draft, the safeguards registers, the request kinds' deadlines and fees) come through
here, so that no row changes without its event in the same transaction (DESIGN invariant 2).
A register with rules of its own (a workflow, training results, publishing the notice) has
its own services, which may call these.

An event is `<app>.<model>.created|changed|deleted`, each declared in `audit.vocabulary`.
It names the fields that changed and keeps a keyed digest (`audit.trail.keyed_digest`) of
each one's new value, and of its old one when the row was changed, never the value: a
register holds nothing personal, but the trail's rule has no exceptions, and the digests
still let an auditor tell whether a fee went back to what it was. A domain service whose
event says more names its own action and details (`records.services` creating members,
records, restrictions and provisions): the row is validated, saved and audited the same way.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from audit.trail import actor_for, append, keyed_digest
from audit.vocabulary import Action

DIGEST_PURPOSE = "kumiai.core.audited"

M = TypeVar("M", bound=models.Model)


def register_action(obj: models.Model, verb: str) -> Action:
    return Action.register(obj._meta.label_lower, verb)


def digest(value) -> str:
    """A field's value as the event keeps it."""
    return keyed_digest(value, purpose=DIGEST_PURPOSE)


def _columns(obj: models.Model, fields: list[str]) -> dict[str, str]:
    """{field name: attribute} for the named fields that are columns of the row (a form's
    many-to-many or extra field is named in the event without a digest)."""
    columns = {}
    for name in fields:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field) and field.concrete and not field.many_to_many:
            columns[name] = field.attname
    return columns


def save(
    obj: M,
    *,
    by,
    fields: Iterable[str] = (),
    action: Action | None = None,
    details: Callable[[M], dict[str, Any] | None] | None = None,
) -> M:
    """Validate, save and audit one row; `fields` names what the user changed.

    A change that changed no field saves without an event: there is nothing to tell.

    A service that writes its own event gives its `action` and `details`, which reads the
    validated row (`full_clean` normalises it) before it is saved into the event's details
    (ids, codes and digests, never a value), or returns None when nothing changed: then
    the row is neither saved nor audited.
    """
    created = obj._state.adding
    fields = sorted(fields)
    columns = _columns(obj, fields) if action is None else {}
    with transaction.atomic():
        obj.full_clean()
        if action is not None:
            said = details(obj) if details is not None else {}
            if said is None:
                return obj
            obj.save()
        else:
            before = (
                type(obj)._base_manager.filter(pk=obj.pk).values(*columns.values()).get()
                if columns and not created
                else {}
            )
            obj.save()
            if not (created or fields):
                return obj
            action = register_action(obj, "created" if created else "changed")
            changes = {
                name: {"new": digest(getattr(obj, attname))}
                | ({} if created else {"old": digest(before[attname])})
                for name, attname in columns.items()
            }
            said = {"fields": fields, "digests": changes}
        append(action=action, actor=actor_for(by), target=obj, details=said)
    return obj


def delete(obj: models.Model, *, by) -> None:
    """Delete one row with its event; what the row held stays in its earlier events' digests."""
    with transaction.atomic():
        append(action=register_action(obj, "deleted"), actor=actor_for(by), target=obj)
        obj.delete()


class AuditedAdmin(admin.ModelAdmin):
    """A register's admin: every save and delete, inline rows included, is audited."""

    def save_model(self, request, obj, form, change):
        save(obj, by=request.user, fields=form.changed_data)

    def delete_model(self, request, obj):
        delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete(obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # sorts the rows into changed, new and deleted
        # Deletions first: a new row may take a start date or a code another row gave up.
        for obj in formset.deleted_objects:
            delete(obj, by=request.user)
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form not in formset.deleted_forms:
                save(inline_form.instance, by=request.user, fields=inline_form.changed_data)
        formset.save_m2m()
