"""Files no row holds: a letter, a package or an identity document written in a transaction
that then rolled back (a move refused after its letter was rendered, a filing that failed
after its upload was stored). The file was written before the commit that never came, so
it names a person and belongs to nobody; `purge` deletes it once it is older than any
transaction still open could be (`purge_uploads` runs it every quarter of an hour).
"""

import datetime
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.utils import timezone

from audit import trail
from audit.vocabulary import Action

from .models import IdentityDocument, Letter, Package

# Each folder (`upload_to` without its dated part) and the rows whose files live there.
FOLDERS = {
    "disclosure/letters": Letter,
    "disclosure/packages": Package,
    "disclosure/documents": IdentityDocument,
}
# Older than any transaction of the app could still be open (a package of 100,000 records
# is written in minutes).
GRACE = datetime.timedelta(hours=1)


def _files(folder: str) -> Iterator[str]:
    if not default_storage.exists(folder):
        return
    directories, files = default_storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _files(f"{folder}/{directory}")


def purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of `FOLDERS` that no row names and that are older than `GRACE`; one
    event per folder that had any (how many, no name). Returns how many."""
    cutoff = (now or timezone.now()) - GRACE
    total = 0
    for folder, model in FOLDERS.items():
        held = set(model._default_manager.exclude(file="").values_list("file", flat=True))
        orphans = [
            name
            for name in _files(folder)
            if name not in held and default_storage.get_modified_time(name) < cutoff
        ]
        for name in orphans:
            default_storage.delete(name)
        if orphans:
            trail.append(
                action=Action.DISCLOSURE_FILES_PURGED,
                actor=trail.SYSTEM,
                details={"folder": folder, "files": len(orphans)},
            )
        total += len(orphans)
    return total
