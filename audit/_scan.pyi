# The C extension built from _scan.c (see pyproject.toml); its one function, for mypy.

def scan(
    conninfo: str, snapshot: str, first_seq: int, last_seq: int, /
) -> tuple[int, str | None, str | None, int | None]: ...
