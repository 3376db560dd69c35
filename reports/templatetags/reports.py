from django import template

from reports.exports import cell_text

register = template.Library()
register.filter("cell", cell_text)
