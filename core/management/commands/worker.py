"""`manage.py worker`: the backport's `db_worker` (django-tasks-db) on every queue, after
putting the periodic jobs in its queue (`core.schedule.ensure`). Run one or more beside the
app servers; `bin/demo` starts one. Takes db_worker's options (`--batch`, `--interval`, ...)."""

from django_tasks_db.management.commands import db_worker

from core import schedule


class Command(db_worker.Command):
    help = "Send the outbox's mail and run the periodic jobs (django-tasks-db's db_worker)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        for name in schedule.ensure():
            self.stdout.write(f"periodic job scheduled: {name}")
        super().handle(*args, **options)
