"""Admin screens of the safeguards, one module a topic: scopes (who handles which categories),
people, organisation, incidents, physical."""

from . import incidents, organisation, people, physical, scopes  # noqa: F401  they register
