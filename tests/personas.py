"""The personas the project-wide tests run as, in the order of the matrix's status tuples,
and the purpose each handler reads for."""

PERSONAS = (
    "anonymous",
    "handler_in",  # handler_kenshin, reading a 健康診査 record
    "handler_out",  # handler_receipt: the same record is outside their scope
    "privacy_officer",
    "auditor",
    "superuser",
)
PURPOSES = {"handler_in": "checkup-reminder", "handler_out": "benefit-review-and-payment"}
