import datetime

from django import template
from django.utils import timezone

from core.wareki import format_wareki

register = template.Library()


@register.filter
def wareki(day):
    """A date as letters write it: 令和8年4月1日; a moment, by its local day."""
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return format_wareki(day) if day else ""
