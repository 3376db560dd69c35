"""The test suite: the database from DATABASE_URL (PostgreSQL in CI), fast hashing, mail kept."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# On SQLite the test databases are files (var/test-*.sqlite3, a suffix per pytest-xdist
# worker), not Django's in-memory default: the browser walks' live server answers in threads
# with connections of their own, and connections to one in-memory database lock whole tables
# and refuse at once ("database table is locked") where a file's connections wait for each
# other (the busy timeout of base.py), as the demo's do. Nothing is synced to disk: what a
# test writes is thrown away.
for _alias, _database in DATABASES.items():  # noqa: F405
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["TEST"] = {"NAME": str(VAR_DIR / f"test-{_alias}.sqlite3")}  # noqa: F405
        _database["OPTIONS"]["init_command"] = "PRAGMA synchronous = OFF"
