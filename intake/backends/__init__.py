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

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import ClassVar, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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


B = TypeVar("B", bound=type[Backend])
_registry: dict[str, type[Backend]] = {}
_loaded = False


def register(name: str) -> Callable[[B], B]:
    def decorator(cls: B) -> B:
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise TypeError(f"{cls!r} is not an intake Backend")
        existing = _registry.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ImproperlyConfigured(f"intake backend {name!r} is registered twice")
        cls.name = name
        _registry[name] = cls
        return cls

    return decorator


def _load_plugins() -> None:
    global _loaded
    if not _loaded:
        for module in getattr(settings, "INTAKE_HANDOFF_PLUGINS", ()):
            import_module(module)
        _loaded = True


def names() -> list[str]:
    _load_plugins()
    return sorted(_registry)


def get_backend(name: str | None = None) -> Backend:
    _load_plugins()
    name = name or settings.INTAKE_HANDOFF_BACKEND
    try:
        return _registry[name]()
    except KeyError:
        raise ImproperlyConfigured(f"unknown intake hand-off backend {name!r}; known: {', '.join(names())}") from None
