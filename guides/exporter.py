"""Write the database's catalogue back in the SCHEMA.md format (the importer's inverse)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from wagtail.models import Locale

from .catalogue import dump_yaml
from .extensions import site_root
from .models import Department, FormField, Material, ServiceItem, ServiceLocation, ThemePage
from .spec import Lookups, page_to_spec


def _write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data), encoding="utf-8")


def export_catalogue(root: Path | str) -> int:
    """Write every registry and every original (non-alias) theme page; returns the number of themes."""
    root = Path(root)
    _write(root / "departments.yaml", [{"code": d.code, "name": d.name, "short": d.short}
                                       for d in Department.objects.order_by("pk")])
    _write(root / "items.yaml", [
        {"code": i.code, "name": i.name, "kind": i.kind, "department": i.department.code,
         "legal_days": i.legal_days, "promised_days": i.promised_days, "fee": i.fee, "basis": list(i.basis)}
        for i in ServiceItem.objects.select_related("department").order_by("pk")
    ])
    _write(root / "materials.yaml", [{"code": m.code, "name": m.name} for m in Material.objects.order_by("pk")])
    fields = []
    for f in FormField.objects.order_by("pk"):
        row = {"code": f.code, "label": f.label, "type": f.type}
        if f.choices:
            row["choices"] = list(f.choices)
        fields.append(row)
    _write(root / "fields.yaml", fields)
    # The city first, as sites.yaml requires.
    homes = sorted(site_root().objects.filter(locale=Locale.get_default()), key=lambda h: (h.level != "city", h.path))
    _write(root / "sites.yaml", [{"code": h.site_code, "name": h.title, "level": h.level,
                                  **({"region": h.region_code} if h.region_code else {})} for h in homes])
    site_of_home = {h.pk: h.site_code for h in homes}
    locations = []
    for loc in ServiceLocation.objects.select_related("site").order_by("site__root_page__path", "sort_order"):
        row = {"site": site_of_home.get(loc.site.root_page_id), "name": loc.name, "address": loc.address}
        if loc.windows:
            row["windows"] = loc.windows
        row.update(hours=loc.hours, phone=loc.phone)
        locations.append(row)
    if locations:
        _write(root / "locations.yaml", locations)

    home_by_path = {h.path: h for h in homes}
    pages = list(ThemePage.objects.filter(locale=Locale.get_default()).select_related("category").order_by("code", "path"))
    sites_of_code = defaultdict(list)
    for p in pages:
        home = home_by_path.get(p.path[: 2 * ThemePage.steplen])
        if home is not None:
            sites_of_code[p.code].append(home)
    originals = [p for p in pages if p.alias_of_id is None]
    lookups = Lookups.for_pages(originals)
    themes_dir = root / "themes"
    themes_dir.mkdir(parents=True, exist_ok=True)
    for page in originals:
        homes_here = sites_of_code[page.code]
        if any(h.level == "city" for h in homes_here):
            sites = ["all"]
        else:
            sites = [h.site_code for h in homes_here]
        _write(themes_dir / f"{page.code}.yaml", page_to_spec(page, lookups, sites))
    return len(originals)
