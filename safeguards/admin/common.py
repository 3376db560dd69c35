"""What the safeguards' admin screens share: actions that call one service per row and report
each refusal, and what is overdue.

Screens hold no domain logic: plain register rows are saved and deleted through
`core.audited`, and actions call the services (`training`, `organisation`, `incidents`,
`physical`), which validate, audit and lock. What is overdue or
about to lapse is a column, a filter and the default order of each list.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import deadlines
from safeguards import incidents, organisation, physical
from safeguards.models import CorrectiveAction, DeviceCheckout, Incident, Inspection

REFUSALS = (PermissionDenied, physical.AlreadyClosed)


def last_when(**condition) -> Case:
    """An ordering term that puts the rows matching `condition` (the finished ones) last."""
    return Case(When(**condition, then=Value(1)), default=Value(0))


def flag(on: bool, text: str):
    """A red label for what needs attention, nothing otherwise."""
    return format_html('<strong class="errornote">{}</strong>', text) if on else ""


def run_each(modeladmin, request, queryset, operation, done: str) -> None:
    """Apply one service call per selected row, reporting each refusal by its message."""
    count = 0
    for obj in queryset:
        try:
            operation(obj)
        except REFUSALS as refusal:
            modeladmin.message_user(request, f"{obj}：{refusal}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, done % {"count": count}, messages.SUCCESS)


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("期限超過")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return overdue_rows(queryset, today=deadlines.today())
        return queryset


def overdue_rows(queryset, *, today):
    """The overdue rows of a register's changelist."""
    model = queryset.model
    if model is CorrectiveAction:
        return queryset.filter(id__in=organisation.overdue_actions(today=today).values("id"))
    if model is Inspection:
        return queryset.filter(deadlines.overdue_q("scheduled_on", today=today)).exclude(
            status=Inspection.Status.SIGNED_OFF
        )
    if model is DeviceCheckout:
        return queryset.filter(id__in=physical.overdue_checkouts(today=today).values("id"))
    if model is Incident:
        late = [
            i.pk for i in incidents.open_incidents() if incidents.overdue_reports(i, today=today)
        ]
        return queryset.filter(pk__in=late)
    raise NotImplementedError(model)
