"""Settings modules: `dev` (the default, SQLite demo), `production`, `test`.

Everything that differs between installs comes from the environment (12-factor);
`base` reads it through django-environ, which raises ImproperlyConfigured on a
value it cannot parse.
"""
