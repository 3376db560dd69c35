"""The periodic jobs, as scheduled tasks of the worker, and the back-off of the tasks that
try again.

The `django-tasks` backport has no scheduler; this is a small one. Each job of
`settings.PERIODIC_JOBS` (a management command, its arguments, its interval) is a chain of
`run_periodic` tasks: each run first enqueues the next one (`run_after` one interval later),
then runs the command, so a job that fails still runs again. `ensure` starts the chains that
are missing; `manage.py worker` calls it before it starts working, so a new job, or one whose
row was lost, is running again at the next start.

The command is named, not imported: core imports no domain app.
"""

import datetime
import logging

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def _arguments(name: str) -> list[str]:
    arguments, _every = settings.PERIODIC_JOBS[name]
    values = {
        "checkpoint_dir": settings.AUDIT_CHECKPOINT_DIR,
        "date": timezone.localdate().isoformat(),
    }
    return [argument.format(**values) for argument in arguments]


@task()
def run_periodic(name: str) -> str:
    """Run the periodic job `name` once, after putting its next run in the queue."""
    every = settings.PERIODIC_JOBS[name][1]
    run_periodic.using(run_after=timezone.now() + datetime.timedelta(seconds=every)).enqueue(name)
    call_command(name, *_arguments(name), verbosity=0)
    return name


def backoff(attempts: int, *, first: int, most: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed try of a task that tries again (the outbox's
    mail, a pending re-key): `first` seconds, doubling, at most `most`."""
    return datetime.timedelta(seconds=min(first * 2 ** (attempts - 1), most))


def waiting() -> set[str]:
    """The jobs that have a run queued or running."""
    rows = DBTaskResult.objects.filter(
        task_path=run_periodic.module_path,
        status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
    ).values_list("args_kwargs", flat=True)
    return {row["args"][0] for row in rows}


def ensure() -> list[str]:
    """Queue a first run, now, of each periodic job that has none; the jobs queued."""
    with transaction.atomic():
        missing = sorted(set(settings.PERIODIC_JOBS) - waiting())
        for name in missing:
            run_periodic.enqueue(name)
    for name in missing:
        logger.info("periodic job %s scheduled", name)
    return missing
