from django import template

from core.wareki import format_wareki

register = template.Library()


@register.filter
def wareki(day):
    """A date as letters write it: 令和8年4月1日."""
    return format_wareki(day) if day else ""
