"""A small typed plugin registry: classes registered under a name, their modules listed in a setting.

Used by intake's hand-off backends, search engines and notice channels, so the interface never imports the
modules that implement it (they are found through settings) and a name registered twice is caught::

    backends = Registry("notice backend", Backend, plugins_setting="NOTICE_PLUGINS")

    @backends.register("console")
    class Console(Backend): ...

    backends.get("console")   # an instance
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Generic, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")
C = TypeVar("C", bound=type)


class UnknownPlugin(ImproperlyConfigured, LookupError):
    """A name no module listed in the plugins setting registered."""


class Registry(Generic[T]):
    """``base``: the class plugins must subclass (None for a Protocol, which cannot be checked at runtime)."""

    def __init__(self, kind: str, base: type[T] | None, *, plugins_setting: str):
        self.kind, self.base, self.plugins_setting = kind, base, plugins_setting
        self._classes: dict[str, type[T]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[C], C]:
        def decorator(cls: C) -> C:
            if not isinstance(cls, type) or (self.base is not None and not issubclass(cls, self.base)):
                raise TypeError(f"{cls!r} is not a {self.kind}")
            existing = self._classes.get(name)
            # The same class imported twice (module reload in tests) is not a conflict.
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise ImproperlyConfigured(f"{self.kind} {name!r} is registered twice")
            cls.name = name
            self._classes[name] = cls
            return cls

        return decorator

    def _load(self) -> None:
        if not self._loaded:
            for module in getattr(settings, self.plugins_setting, ()):
                import_module(module)
            self._loaded = True

    def names(self) -> list[str]:
        self._load()
        return sorted(self._classes)

    def get(self, name: str) -> T:
        self._load()
        try:
            return self._classes[name]()
        except KeyError:
            raise UnknownPlugin(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())} "
                                       f"(modules from settings.{self.plugins_setting})") from None
