"""The audit app's tests use the fixtures it offers to every app."""

from audit.tests.fixtures import audit_transactional_db  # noqa: F401
