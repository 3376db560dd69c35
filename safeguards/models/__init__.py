"""Safeguards models, one module per area of the notice's section 2."""

from .access import StatutoryAccessReason, StatutoryGround
from .scopes import CategoryGroupObjectPermission, CategoryUserObjectPermission

__all__ = [
    "CategoryGroupObjectPermission",
    "CategoryUserObjectPermission",
    "StatutoryAccessReason",
    "StatutoryGround",
]
