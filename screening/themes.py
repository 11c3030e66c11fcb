"""The engine's `Theme` for a theme page, with the registry facts the checklist shows, memoised in-process.

Building a theme costs one `Lookups` (three registry queries) plus compiling its conditions; the wizard, the
checklist and the JSON API need it on every request, so it is kept per page version and registry version. Both are
read on each call, the page's from the database and the registries' from the shared cache, so an edit made through
any process changes the key here at once. Entries are plain data (no model instances), safe to share between threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from guides.cache import registry_version
from screening.engine import Theme

CACHE_SIZE = 512


@dataclass(frozen=True)
class ItemInfo:
    code: str
    name: str
    department: str
    department_name: str
    department_short: str
    promised_days: int
    legal_days: int
    fee: str
    # English registry names (guides.i18n); empty when not translated, then the Chinese is shown.
    name_en: str = ""
    department_name_en: str = ""
    department_short_en: str = ""


@dataclass(frozen=True)
class ScreeningTheme:
    """A page's engine theme and the names the checklist needs, by code."""

    theme: Theme
    items: dict[str, ItemInfo]
    field_labels: dict[str, str]
    departments: dict[str, tuple[str, str]]  # code -> (name, short)
    field_labels_en: dict[str, str] = field(default_factory=dict)
    departments_en: dict[str, tuple[str, str]] = field(default_factory=dict)

    def actor_label(self, actor: str) -> str:
        department = self.departments.get(actor)
        return department[1] or department[0] if department else actor

    def in_english(self) -> ScreeningTheme:
        """The same theme with the registries' English names where they exist (a copy; the cache keeps both)."""
        return replace(
            self,
            items={code: replace(i, name=i.name_en or i.name, department_name=i.department_name_en or i.department_name,
                                 department_short=i.department_short_en or i.department_short)
                   for code, i in self.items.items()},
            field_labels={code: self.field_labels_en.get(code) or label for code, label in self.field_labels.items()},
            departments={code: tuple(en or zh for en, zh in zip(self.departments_en.get(code, ("", "")), names,
                                                                strict=True))
                         for code, names in self.departments.items()},
        )


def build(page) -> ScreeningTheme:
    from guides.spec import Lookups, page_to_spec

    lookups = Lookups.for_pages([page])
    spec = page_to_spec(page, lookups)
    theme = Theme.from_spec(spec, lookups.item_registry())
    items = {
        i.code: ItemInfo(i.code, i.name, i.department.code, i.department.name, i.department.short,
                         i.promised_days, i.legal_days, i.fee, i.name_en, i.department.name_en, i.department.short_en)
        for i in lookups.items_by_pk.values()
    }
    return ScreeningTheme(
        theme=theme,
        items=items,
        field_labels={f.code: f.label for f in lookups.fields_by_pk.values()},
        departments={code: (d.name, d.short) for code, d in lookups.departments.items()},
        field_labels_en={f.code: f.label_en for f in lookups.fields_by_pk.values() if f.label_en},
        departments_en={code: (d.name_en, d.short_en) for code, d in lookups.departments.items()},
    )


_cache: OrderedDict[tuple, ScreeningTheme] = OrderedDict()
_lock = threading.Lock()


def cache_key(page) -> tuple:
    # Aliases have no revisions; Wagtail copies the original's publication times onto them when it syncs. Item
    # names, departments and field labels live in the registries, whose version token in the shared cache follows their edits.
    return (page.pk, page.live_revision_id, page.latest_revision_created_at, page.last_published_at,
            registry_version())


def screening_for(page) -> ScreeningTheme:
    key = cache_key(page)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    value = build(page)  # outside the lock: a duplicate build is cheaper than serialising requests
    with _lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value
