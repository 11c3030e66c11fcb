"""Background sending (django-tasks): one task per notice, and a sweeper for retries and lost tasks, as intake's
hand-off outbox does (intake/tasks.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from . import delivery
from .constants import State

SWEEP_PATH = "notices.tasks.sweep_notices"


@task()
def send_notice(notice_id: int) -> str:
    outcome = delivery.send(notice_id)
    if outcome == "retry" and default_task_backend.supports_defer:
        from .models import Notice

        when = Notice.objects.values_list("next_attempt_at", flat=True).get(pk=notice_id)
        send_notice.using(run_after=when).enqueue(notice_id)
    return outcome


@task()
def sweep_notices() -> int:
    due = delivery.due()
    for pk in due:
        send_notice.enqueue(pk)
    from .models import Notice

    if Notice.objects.filter(state=State.PENDING).exists():
        _schedule_sweep()
    return len(due)


def _schedule_sweep() -> None:
    if default_task_backend.supports_defer:
        when = timezone.now() + timedelta(seconds=settings.NOTICE_SWEEP_INTERVAL)
        sweep_notices.using(run_after=when).enqueue()


def ensure_sweeper() -> None:
    """Start the sweeper unless one is already queued (backends that cannot defer leave retries to the command)."""
    if not default_task_backend.supports_defer:
        return
    from django_tasks_db.models import DBTaskResult

    if not DBTaskResult.objects.filter(task_path=SWEEP_PATH, status="READY").exists():
        _schedule_sweep()


def enqueue_on_commit(ids: list[int]) -> None:
    """Called from transaction.on_commit: the rows exist by now."""
    for pk in ids:
        send_notice.enqueue(pk)
    ensure_sweeper()
