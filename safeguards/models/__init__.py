"""Safeguards models, one module per area of the notice's section 2."""

from .access import StatutoryAccessReason, StatutoryGround, condition_of
from .administration import ApiToken, Approval
from .incidents import Incident, IncidentStep
from .organisation import (
    AuditFinding,
    AuditPlan,
    ChecklistItem,
    CorrectiveAction,
    Inspection,
    InspectionResult,
    OfficerAppointment,
    SafeguardArea,
)
from .people import Attendance, Pledge, StaffStanding, TrainingCourse, TrainingSession
from .physical import AreaEntry, DeviceCheckout, SecureArea
from .scopes import (
    CategoryGroupObjectPermission,
    CategoryUserObjectPermission,
    Desk,
    DeskGroupObjectPermission,
    DeskUserObjectPermission,
)

__all__ = [
    "ApiToken",
    "Approval",
    "AreaEntry",
    "Attendance",
    "AuditFinding",
    "AuditPlan",
    "CategoryGroupObjectPermission",
    "CategoryUserObjectPermission",
    "ChecklistItem",
    "CorrectiveAction",
    "Desk",
    "DeskGroupObjectPermission",
    "DeskUserObjectPermission",
    "DeviceCheckout",
    "Incident",
    "IncidentStep",
    "Inspection",
    "InspectionResult",
    "OfficerAppointment",
    "Pledge",
    "SafeguardArea",
    "SecureArea",
    "StaffStanding",
    "StatutoryAccessReason",
    "StatutoryGround",
    "TrainingCourse",
    "TrainingSession",
    "condition_of",
]
