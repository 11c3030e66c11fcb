"""The slots the apps built on guides fill in their AppConfig.ready(), so that guides imports none of them.

Each slot has a neutral default, so the foundation works (and is tested) on its own:

- theme routes: sub-pages of a theme page (screening: the wizard, the checklist and its PDF);
- local theme and hidden codes: what a site shows of a theme (counties: a county's own promise, hidden themes);
- spec checks: checks of a theme spec beyond its shape (screening: the engine's lint);
- catalogue viewsets: extra screens in the catalogue menu (counties: service locations, scoped to the editor's sites);
- site root: the page model at the root of every site (home: HomePage, with its site code, level and region code);
- working days: the date a number of working days after another (window: its calendar of holidays);
- theme_changed: sent when a theme's documents change without a publish (search listens and reindexes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from django.dispatch import Signal
from django.urls import URLPattern, path

F = TypeVar("F", bound=Callable[..., Any])

# Sent with `code` (a theme code) when what the theme shows changed without a page being published or deleted.
theme_changed = Signal()


class Slot(Generic[F]):
    """One implementation of a hook: the default until an upper app registers its own."""

    def __init__(self, default: F):
        self._impl = default

    def register(self, impl: F) -> F:
        self._impl = impl
        return impl

    def __call__(self, *args, **kwargs):
        return self._impl(*args, **kwargs)


T = TypeVar("T")


class Collection(Generic[T]):
    """Several contributions to one hook, each registered once, in registration order."""

    def __init__(self):
        self._members: list[T] = []

    def register(self, member: T) -> T:
        if member not in self._members:
            self._members.append(member)
        return member

    def __iter__(self):
        return iter(tuple(self._members))


@dataclass(frozen=True)
class LocalTheme:
    """The figures a visitor of one site sees for a theme."""

    days_after: int
    visits_after: int
    fee: str
    hidden: bool = False
    hidden_reason: str = ""
    hidden_reason_en: str = ""  # shown by guides.i18n.localized on English pages
    overridden: tuple[str, ...] = ()


def _same_everywhere(page, site) -> LocalTheme:
    return LocalTheme(days_after=page.days_after, visits_after=page.visits_after, fee=page.fee)


local_theme: Slot[Callable[[Any, Any], LocalTheme]] = Slot(_same_everywhere)
hidden_codes: Slot[Callable[[Any], list[str]]] = Slot(lambda site: [])


class SpecProblem(Protocol):
    level: str
    kind: str
    location: str
    message: str


SpecCheck = Callable[[object, dict], Iterable[SpecProblem]]
spec_checks: Collection[SpecCheck] = Collection()


def spec_problems(spec: object, items: dict) -> list[SpecProblem]:
    """Every registered check's findings on a theme spec; `items` maps item codes to their registry entries."""
    return [p for check in spec_checks for p in check(spec, items)]


_theme_routes: dict[str, URLPattern] = {}


def theme_route(pattern: str, name: str):
    """Register `view(request, page)` as a sub-page of every theme page, reversible as `name`."""

    def decorator(view: F) -> F:
        def route(page, request, *args, **kwargs):
            return view(request, page, *args, **kwargs)

        route.__name__ = name
        _theme_routes[name] = path(pattern, route, name=name)
        return view

    return decorator


def theme_routes() -> tuple[URLPattern, ...]:
    return tuple(_theme_routes.values())


catalogue_viewsets: Collection[type] = Collection()


site_root: Slot[Callable[[], type]] = Slot(lambda: None)

# The date ``days`` working days after ``start`` on the window's calendar (its holidays and 调休), or None without a
# calendar: intake's receipt shows the date by which the promise falls due.
add_workdays: Slot[Callable[[date, int], date | None]] = Slot(lambda start, days: None)
