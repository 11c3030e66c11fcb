"""Hand-off backends: how a submitted application reaches the approval system. A small typed plugin registry.

A backend is a class registered under a name::

    from intake.backends import Backend, DeliveryResult, register

    @register("window")
    class WindowBackend(Backend):
        def deliver(self, document: dict, *, idempotency_key: str) -> DeliveryResult: ...

Modules holding backends are listed in settings.INTAKE_HANDOFF_PLUGINS (e.g. add "window.backends"); the one
used is settings.INTAKE_HANDOFF_BACKEND. `deliver` must be idempotent per key: the outbox retries after
timeouts and crashes, so the same application can be delivered more than once (at-least-once delivery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings

from guides.plugins import Registry


@dataclass(frozen=True)
class DeliveryResult:
    """A delivery the receiver has taken; ``reference`` is its own id for the application, if it gives one."""

    reference: str = ""
    duplicate: bool = False


class DeliveryError(Exception):
    """Delivery failed. ``retry``: worth trying again later (network, 5xx); otherwise needs a person."""

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class Backend:
    name: ClassVar[str] = ""

    def deliver(self, document: dict, *, idempotency_key: str) -> DeliveryResult:
        raise NotImplementedError


_backends: Registry[Backend] = Registry("intake hand-off backend", Backend, plugins_setting="INTAKE_HANDOFF_PLUGINS")
register = _backends.register
names = _backends.names


def get_backend(name: str | None = None) -> Backend:
    return _backends.get(name or settings.INTAKE_HANDOFF_BACKEND)
