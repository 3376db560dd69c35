"""Admin screens of the safeguards, one module a topic: scopes (who handles which categories),
people, organisation, incidents, physical; and administration (accounts: staff, groups,
API tokens, the four-eyes approvals)."""

from . import accounts, incidents, organisation, people, physical, scopes  # noqa: F401  they register
