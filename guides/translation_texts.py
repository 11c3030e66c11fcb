"""English columns of the offices and the legal bases, from a translations folder (import_translations).

``_locations.yaml``: site code -> the office's Chinese name -> {name, address, windows, hours}.
``_bases.yaml``: item code -> the English legal bases, entry by entry in the order of the Chinese list.

Keyed by what the Chinese catalogue keys them by (site and name, item code). A key the database does not know is
an error, reported before anything is written: a typo would otherwise leave a row silently untranslated.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management.base import CommandError
from wagtail.models import Locale

from .extensions import site_root
from .models import ServiceItem, ServiceLocation

LOCATION_FIELDS = ("name", "address", "windows", "hours")


def _load(path: Path) -> dict:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _set(obj, wanted: dict) -> bool:
    if all(getattr(obj, column) == value for column, value in wanted.items()):
        return False
    for column, value in wanted.items():
        setattr(obj, column, value)
    obj.save(update_fields=list(wanted))
    return True


def _location_changes(rows: dict) -> list[tuple[ServiceLocation, dict]]:
    homes = dict(site_root().objects.filter(locale=Locale.get_default(), site_code__in=list(rows))
                 .values_list("site_code", "pk"))
    changes, problems = [], []
    for site_code, offices in rows.items():
        if site_code not in homes:
            problems.append(f"_locations.yaml: no site {site_code}")
            continue
        found = {loc.name: loc for loc in ServiceLocation.objects.filter(site__root_page_id=homes[site_code],
                                                                          name__in=list(offices or {}))}
        for name, texts in (offices or {}).items():
            if name not in found:
                problems.append(f"_locations.yaml: {site_code} has no office {name}")
            elif not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
                problems.append(f"_locations.yaml: {site_code} {name}: give name, address, windows, hours as text")
            else:
                changes.append((found[name], {f"{f}_en": (texts.get(f) or "").strip() for f in LOCATION_FIELDS}))
    if problems:
        raise CommandError("; ".join(problems))
    return changes


def _basis_changes(rows: dict) -> list[tuple[ServiceItem, dict]]:
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=list(rows))}
    changes, problems = [], []
    for code, basis in rows.items():
        item = items.get(code)
        if item is None:
            problems.append(f"_bases.yaml: no item {code}")
        elif (not isinstance(basis, list) or len(basis) != len(item.basis)
              or not all(isinstance(b, str) and b.strip() for b in basis)):
            problems.append(f"_bases.yaml: {code} needs {len(item.basis)} entries of text, as its Chinese basis")
        else:
            changes.append((item, {"basis_en": [b.strip() for b in basis]}))
    if problems:
        raise CommandError("; ".join(problems))
    return changes


def import_offices_and_bases(folder: Path) -> int:
    """Fill the English columns of the offices and items from ``folder``; the number of rows changed (0 on a
    second run)."""
    changes = _location_changes(_load(folder / "_locations.yaml")) + _basis_changes(_load(folder / "_bases.yaml"))
    return sum(_set(obj, wanted) for obj, wanted in changes)
