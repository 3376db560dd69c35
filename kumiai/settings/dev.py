"""The demo: SQLite under var/, DEBUG on unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DEBUG", default=True)

# runserver answers each request on a thread of its own, which a kept connection would not
# outlive: Django's documentation advises against persistent connections here.
for _database in DATABASES.values():
    _database["CONN_MAX_AGE"] = 0
