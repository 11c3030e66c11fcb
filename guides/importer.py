"""Write a checked catalogue into the database: registries, sites, offices and theme pages.

Idempotent: rows are matched by code, pages by (site, theme code); unchanged themes are left alone, so a second
import creates no revision, and pages editors added by hand are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from pypinyin import lazy_pinyin
from wagtail.models import Locale, Page, Site

from .catalogue import CATEGORIES, Catalogue
from .extensions import site_root
from .models import (
    Department,
    FormField,
    Material,
    ServiceItem,
    ServiceLocation,
    ThemeCategory,
    ThemeIndexPage,
    ThemePage,
)
from .spec import Lookups, apply_spec, canonical, page_to_spec

CATEGORY_SLUGS = {"市场准入": "market-entry", "生产经营": "operation", "工程建设": "construction",
                  "社会事务": "social", "个人生活": "personal", "企业退出": "exit"}


@dataclass
class Registry:
    categories: dict[str, ThemeCategory] = field(default_factory=dict)
    items: dict[str, ServiceItem] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    fields: dict[str, FormField] = field(default_factory=dict)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    sites: int = 0

    def __str__(self):
        return (f"主题：新建 {self.created}，更新 {self.updated}，未变 {self.unchanged}；"
                f"县级站点引用 {self.aliases}；站点 {self.sites}")


def site_hostname(code: str, level: str) -> str:
    domain = getattr(settings, "GUIDE_SITE_DOMAIN", "localhost")
    return domain if level == "city" else f"{code}.{domain}"


def _upsert(model, key: str, rows: Iterable[dict], values: Callable[[dict], dict]) -> dict:
    existing = {getattr(o, key): o for o in model.objects.all()}
    result = {}
    for row in rows:
        wanted = values(row)
        obj = existing.get(row[key])
        if obj is None:
            obj = model.objects.create(**{key: row[key]}, **wanted)
        elif any(getattr(obj, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(obj, k, v)
            obj.save()
        result[row[key]] = obj
    return result


def _registries(cat: Catalogue) -> Registry:
    departments = _upsert(Department, "code", cat.departments, lambda d: {"name": d["name"], "short": d.get("short", "")})
    items = _upsert(ServiceItem, "code", cat.items, lambda i: {
        "name": i["name"], "kind": i["kind"], "department": departments[i["department"]],
        "legal_days": i["legal_days"], "promised_days": i["promised_days"], "fee": i.get("fee", "不收费"),
        "basis": list(i["basis"]),
    })
    materials = _upsert(Material, "code", cat.materials, lambda m: {"name": m["name"]})
    fields = _upsert(FormField, "code", cat.fields, lambda f: {
        "label": f["label"], "type": f["type"], "choices": list(f.get("choices") or []),
    })
    categories = _upsert(ThemeCategory, "name", [{"name": c} for c in CATEGORIES], lambda c: {
        "slug": CATEGORY_SLUGS[c["name"]], "sort_order": CATEGORIES.index(c["name"]),
    })
    return Registry(categories=categories, items=items, materials=materials, fields=fields)


def _publish(page: Page) -> None:
    page.save_revision(log_action=True).publish(log_action=True)


def _site_tree(cat: Catalogue) -> dict[str, tuple[Site, ThemeIndexPage]]:
    """Each catalogue site: a Wagtail Site whose root is its HomePage, with one ThemeIndexPage below."""
    root = Page.get_first_root_node()
    home_page = site_root()
    # The catalogue is the Chinese source; English homes are its translations (import_translations).
    homes = {h.site_code: h for h in home_page.objects.filter(locale=Locale.get_default())}
    tree = {}
    for position, s in enumerate(cat.sites):
        home = homes.get(s["code"])
        if home is None:
            home = home_page(title=s["name"], slug=s["code"], site_code=s["code"], level=s["level"],
                             region_code=s.get("region", ""),
                             intro="一件事一次办：一次告知、一次表单、一次联办、一次送达。")
            root.add_child(instance=home)
            _publish(home)
        else:
            # A catalogue without a region leaves the one an editor gave the site.
            region = s.get("region", home.region_code)
            if (home.title, home.level, home.region_code) != (s["name"], s["level"], region):
                home.title, home.level, home.region_code = s["name"], s["level"], region
                _publish(home)
        hostname = site_hostname(s["code"], s["level"])
        site = Site.objects.filter(root_page=home).first() or Site.objects.filter(hostname=hostname).first()
        if site is None:
            site = Site(hostname=hostname, port=80)
        site.hostname, site.root_page, site.site_name = hostname, home, s["name"]
        site.is_default_site = position == 0
        if site.is_default_site:
            Site.objects.filter(is_default_site=True).exclude(pk=site.pk).update(is_default_site=False)
        site.save()
        index = ThemeIndexPage.objects.child_of(home).first()
        if index is None:
            index = ThemeIndexPage(title="主题服务", slug="themes", intro="按类别浏览“一件事一次办”主题服务。")
            home.add_child(instance=index)
            _publish(index)
        tree[s["code"]] = (site, index)
    # The welcome page Wagtail installs is replaced by the city home page; leave anything else alone.
    Page.objects.filter(depth=2, content_type__model="page", slug="home", title__startswith="Welcome").delete()
    return tree


def _locations(cat: Catalogue, tree) -> None:
    for position, loc in enumerate(cat.locations):
        site = tree[loc["site"]][0]
        ServiceLocation.objects.update_or_create(
            site=site, name=loc["name"],
            defaults={"address": loc["address"], "windows": loc.get("windows", ""), "hours": loc["hours"],
                      "phone": loc["phone"], "sort_order": position},
        )


def _slug(title: str, code: str) -> str:
    # Readable pinyin slugs (kai-chao-shi) keep URLs typeable; the code keeps them unique.
    words = slugify(" ".join(lazy_pinyin(title.removeprefix("我要")))) or "theme"
    return f"{words[:60]}-{code.lower()}"


def import_catalogue(cat: Catalogue, progress: Callable[[Iterable], Iterable] = lambda x: x) -> ImportReport:
    """Write the catalogue in one transaction; the caller has already checked it with `read_catalogue`."""
    report = ImportReport()
    with transaction.atomic():
        registry = _registries(cat)
        tree = _site_tree(cat)
        report.sites = len(tree)
        _locations(cat, tree)
        city_code = cat.sites[0]["code"]
        # Keyed by the parent's tree path: no query per page to find its parent.
        existing: dict[tuple[str, str], ThemePage] = {
            (p.path[: -ThemePage.steplen], p.code): p for p in ThemePage.objects.filter(locale=Locale.get_default())
        }
        lookups = Lookups.everything()
        for spec in progress(cat.themes):
            owners = [city_code] if spec["sites"] == ["all"] else list(spec["sites"])
            home_index = tree[owners[0]][1]
            page = existing.get((home_index.path, spec["code"]))
            if page is None:
                page = ThemePage(slug=_slug(spec["title"], spec["code"]))
                apply_spec(page, spec, registry)
                page._spec_checked = True
                home_index.add_child(instance=page)
                _publish(page)
                report.created += 1
            elif page.alias_of_id is None and (page_to_spec(page, lookups, spec["sites"]) != canonical(spec) or not page.live):
                apply_spec(page, spec, registry)
                page._spec_checked = True
                _publish(page)
                report.updated += 1
            else:
                report.unchanged += 1
            # Other sites show the same page as an alias: one source, kept in step by Wagtail on publish.
            others = [c for c in tree if c != owners[0]] if spec["sites"] == ["all"] else owners[1:]
            for code in others:
                index = tree[code][1]
                if (index.path, spec["code"]) not in existing:
                    alias = page.create_alias(parent=index, update_slug=page.slug)
                    existing[(index.path, spec["code"])] = alias
                    report.aliases += 1
    return report
