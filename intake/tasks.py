"""Background tasks (django-tasks): deliver outbox rows, and a sweeper that re-finds rows whose task was lost.

A task can be lost when a worker is killed mid-delivery (its task result stays "running" forever) or an enqueue
fails after commit. The outbox row is the truth: the sweeper re-enqueues every due row whose lease has expired.
It reschedules itself while work is pending and stops when idle; each submission starts it again.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from . import handoff

SWEEP_PATH = "intake.tasks.sweep_outbox"


@task()
def deliver_outbox(outbox_id: int) -> str:
    outcome = handoff.deliver(outbox_id)
    if outcome == "retry":
        _retry_later(outbox_id)
    return outcome


@task()
def sweep_outbox() -> int:
    pending = handoff.due()
    for pk in pending:
        deliver_outbox.enqueue(pk)
    from .constants import OutboxState
    from .models import Outbox

    if Outbox.objects.filter(state=OutboxState.PENDING).exists():
        _schedule_sweep()
    return len(pending)


def _deferred() -> bool:
    return default_task_backend.supports_defer


def _retry_later(outbox_id: int) -> None:
    """A retry when the row says; backends that cannot defer (tests' immediate backend) leave it to the sweeper."""
    if _deferred():
        from .models import Outbox

        when = Outbox.objects.values_list("next_attempt_at", flat=True).get(pk=outbox_id)
        deliver_outbox.using(run_after=when).enqueue(outbox_id)


def _schedule_sweep() -> None:
    if _deferred():
        when = timezone.now() + timedelta(seconds=settings.INTAKE_SWEEP_INTERVAL)
        sweep_outbox.using(run_after=when).enqueue()


def ensure_sweeper() -> None:
    """Start the sweeper unless one is already queued."""
    if not _deferred():
        return
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another deferring backend: just queue one, sweeps are idempotent
        _schedule_sweep()
        return
    if not DBTaskResult.objects.filter(task_path=SWEEP_PATH, status="READY").exists():
        _schedule_sweep()


def enqueue_on_commit(outbox_id: int) -> None:
    """Deliver after the application's transaction commits (a task must never see an uncommitted row)."""

    def go():
        deliver_outbox.enqueue(outbox_id)
        ensure_sweeper()

    transaction.on_commit(go)
