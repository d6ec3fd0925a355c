"""Staff's view of dead letters: the tasks that used up their retries.

    python manage.py dead_letters list [--all]
    python manage.py dead_letters redrive ID [ID ...]
    python manage.py dead_letters redrive --all

``redrive`` sends each task again with its recorded arguments and marks it re-driven; a dead
letter already re-driven (or resolved) is skipped, so running it twice sends nothing twice.
"""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from core.dead_letters import DeadLetterNotFound, dead_letter_redrive, dead_letters_open
from core.models import FailedTask


class Command(BaseCommand):
    help = "List the dead letters (tasks that gave up) or re-drive them."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Dead letters not yet re-driven or resolved.")
        listing.add_argument("--all", action="store_true", help="Include the resolved and re-driven ones.")
        redrive = sub.add_parser("redrive", help="Send these dead letters' tasks again.")
        redrive.add_argument("ids", nargs="*", type=int, help="FailedTask ids (see list).")
        redrive.add_argument("--all", action="store_true", help="Every open dead letter.")

    def handle(self, *args, action, **options):
        if action == "list":
            return self._list(show_all=options["all"])
        ids = options["ids"]
        if options["all"]:
            ids = list(dead_letters_open().values_list("pk", flat=True))
        elif not ids:
            raise CommandError("Name the dead letters to re-drive (ids from `dead_letters list`) or use --all.")
        self._redrive(ids)

    def _list(self, *, show_all: bool) -> None:
        rows = FailedTask.objects.order_by("-failed_at") if show_all else dead_letters_open()
        count = 0
        for failed in rows:
            count += 1
            state = failed.resolution_note or ("resolved" if failed.resolved_at else "open")
            self.stdout.write(f"#{failed.pk}  {failed.failed_at:%Y-%m-%d %H:%M:%S}  {failed.task_name}  "
                              f"kwargs={failed.kwargs} args={failed.args}  [{state}]\n    {failed.error[:200]}")
        self.stdout.write(f"{count} dead {ngettext('letter', 'letters', count)}")

    def _redrive(self, ids: list[int]) -> None:
        for pk in ids:
            try:
                sent = dead_letter_redrive(failed_task_id=pk, by="manage.py dead_letters")
            except DeadLetterNotFound as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"#{pk}: {'re-driven' if sent else 'already re-driven or resolved: skipped'}")
