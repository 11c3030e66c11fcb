"""Leased, retried delivery of outbox rows (hand-offs here, notices in the notices app).

A row model has `state`, `attempts`, `next_attempt_at`, `locked_until` and `last_error`. One attempt at a time per
row (a lease taken atomically), exponential backoff between failures, and an attempt cut short by a crash is
retried once its lease expires, so delivery is at-least-once and the receiver de-duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Model, Q
from django.utils import timezone


@dataclass(frozen=True)
class Policy:
    pending: str  # the state value of rows still to deliver
    failed: str  # the state once attempts are exhausted (a person must look)
    backoff_base: float  # seconds after the first failure, doubled per try
    backoff_max: float
    lease: float  # seconds an attempt may take before the row counts as abandoned
    max_attempts: int

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try: base, 2×base, 4×base … capped."""
        return min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_max)

    def claim(self, model: type[Model], pk: int) -> bool:
        """Take the row for one attempt, atomically, so two workers never deliver it at the same time."""
        now = timezone.now()
        return bool(
            model.objects.filter(pk=pk, state=self.pending, next_attempt_at__lte=now + timedelta(seconds=1))
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .update(locked_until=now + timedelta(seconds=self.lease), attempts=F("attempts") + 1)
        )

    def fail(self, model: type[Model], pk: int, attempts: int, error: str, *, retry: bool) -> str:
        """Record a failed attempt: "retry" (scheduled after the backoff) or "failed" (attempts exhausted)."""
        if retry and attempts < self.max_attempts:
            when = timezone.now() + timedelta(seconds=self.backoff(attempts))
            model.objects.filter(pk=pk).update(next_attempt_at=when, locked_until=None, last_error=error[:2000])
            return "retry"
        model.objects.filter(pk=pk).update(state=self.failed, locked_until=None, last_error=error[:2000])
        return "failed"

    def due(self, model: type[Model], limit: int = 500) -> list[int]:
        """Pending rows whose next attempt is due and that nobody is delivering (or whose deliverer died)."""
        now = timezone.now()
        return list(model.objects.filter(state=self.pending, next_attempt_at__lte=now)
                    .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
                    .values_list("pk", flat=True)[:limit])

    def reset(self, model: type[Model], pk: int) -> None:
        """Staff action on a failed row: start again with a fresh attempt budget (the caller enqueues it)."""
        model.objects.filter(pk=pk).update(state=self.pending, attempts=0, next_attempt_at=timezone.now(),
                                           locked_until=None)
