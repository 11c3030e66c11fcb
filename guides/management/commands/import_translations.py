"""Create or update page translations (English) from data files, through wagtail-localize.

    manage.py import_translations demo/translations/en

The folder is named after the target language. ``_registries.yaml`` holds the registries' English names
(departments, items, materials, form fields), ``_sites.yaml`` the home and theme index pages of the city site,
``<THEME CODE>.yaml`` one theme's texts keyed by ids (question and option ids, material codes, step order), so a
translation file can only supply words: codes, conditions, options, items and figures come from the Chinese page
(synchronised fields, identifier blocks without segments).

Each page goes the way an editor's translation goes: TranslationSource (refreshed from the source page), a
Translation to the locale, one StringTranslation per segment, then save_target(publish=True). Idempotent: a page is
saved again only when its source or one of its strings changed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from guides.models import Department, FormField, Material, ServiceItem, ThemeIndexPage, ThemePage
from guides.translation_texts import import_offices_and_bases


def _load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def _update_registry(model, key: str, rows: dict, fields: dict[str, str]) -> int:
    changed = 0
    for obj in model.objects.filter(**{f"{key}__in": list(rows)}):
        row = rows[getattr(obj, key)]
        row = row if isinstance(row, dict) else {next(iter(fields)): row}
        wanted = {column: row.get(name, "") or "" for name, column in fields.items()}
        if any(getattr(obj, c) != v for c, v in wanted.items()):
            for c, v in wanted.items():
                setattr(obj, c, v)
            obj.save()
            changed += 1
    return changed


def _in_block_format(page: ThemePage) -> bool:
    return all(isinstance(o, dict) and "id" in o and "value" in o
               for child in page.questions.raw_data for o in child["value"].get("options") or [])


def _normalise_options(page: ThemePage) -> None:
    """Old imports stored option lists without item ids; wagtail-localize needs ids to extract their labels."""
    raw = []
    for child in page.questions.raw_data:
        value = dict(child["value"])
        value["options"] = [o if isinstance(o, dict) and "value" in o and "id" in o
                            else {"type": "item", "value": o, "id": str(uuid.uuid4())}
                            for o in value.get("options") or []]
        raw.append({**child, "value": value})
    page.questions = raw
    page._spec_checked = True
    page.save_revision().publish()


def theme_strings(page: ThemePage, data: dict) -> dict[str, str]:
    """Segment path -> English text, from a theme file keyed by the theme's own ids."""
    out = {k: data[k] for k in ("title", "summary", "conditions", "fee") if data.get(k)}
    questions = data.get("questions") or {}
    for child in page.questions.raw_data:
        q = questions.get(child["value"]["id"]) or {}
        base = f"questions.{child['id']}"
        if q.get("text"):
            out[f"{base}.text"] = q["text"]
        if q.get("help"):
            out[f"{base}.help"] = q["help"]
        labels = q.get("options") or {}
        bad = [k for k, v in labels.items() if not isinstance(v, str)]
        if bad:
            # YAML reads a bare Yes/No as a boolean and splits unquoted commas in flow maps: quote such labels.
            raise CommandError(f"{page.code}: question {child['value']['id']}: option labels must be text: {bad}")
        for o in child["value"].get("options") or []:
            if isinstance(o, dict) and "id" in o and labels.get(o["value"]["id"]):
                out[f"{base}.options.{o['id']}.label"] = labels[o["value"]["id"]]
    materials = data.get("materials") or {}
    # Material blocks refer to the registry by pk; files key them by code.
    codes = dict(Material.objects.filter(pk__in=[c["value"].get("material") for c in page.materials.raw_data])
                 .values_list("pk", "code"))
    for child in page.materials.raw_data:
        m = materials.get(codes.get(child["value"].get("material"))) or {}
        for name in ("name", "note"):
            if m.get(name):
                out[f"materials.{child['id']}.{name}"] = m[name]
    steps = data.get("steps") or []
    for child, name in zip(page.steps.raw_data, steps, strict=False):
        out[f"steps.{child['id']}.name"] = name
    return out


def translate_page(page, strings: dict[str, str], locale: Locale) -> tuple[bool, list[str]]:
    """Bring ``page``'s translation into ``locale`` up to date; (saved, paths of segments left untranslated)."""
    source, created = TranslationSource.get_or_create_from_instance(page)
    changed = created
    if not created:
        before = source.content_json
        source.update_from_db()
        changed = source.content_json != before
    translation, made = Translation.objects.get_or_create(source=source, target_locale=locale,
                                                           defaults={"enabled": True})
    changed |= made
    missing = []
    for segment in source.stringsegment_set.select_related("string", "context"):
        text = strings.get(segment.context.path)
        if text is None:
            if segment.context.path != "slug":
                missing.append(segment.context.path)
            continue
        st, made = StringTranslation.objects.get_or_create(
            translation_of=segment.string, locale=locale, context=segment.context, defaults={"data": text})
        if not made and st.data != text:
            st.data = text
            st.save()
            made = True
        changed |= made
    target = page.get_translation_or_none(locale)
    if changed or target is None or not target.live:
        translation.save_target(publish=True)
        return True, missing
    return False, missing


class Command(BaseCommand):
    help = "Create or update the translations of pages and registries from a folder of YAML files (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="e.g. demo/translations/en; the folder name is the language code")

    # Not one transaction: wagtail-localize publishes a translation's revision on commit, from the page as it was
    # when saved; publishing each page before its children are added keeps the parents' child counts right.
    def handle(self, directory, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a directory")
        locale, _ = Locale.objects.get_or_create(language_code=folder.name)
        registries = _load(folder / "_registries.yaml") if (folder / "_registries.yaml").exists() else {}
        changed = _update_registry(Department, "code", registries.get("departments", {}),
                                   {"name": "name_en", "short": "short_en"})
        changed += _update_registry(ServiceItem, "code", registries.get("items", {}), {"name": "name_en"})
        changed += _update_registry(Material, "code", registries.get("materials", {}), {"name": "name_en"})
        changed += _update_registry(FormField, "code", registries.get("fields", {}), {"label": "label_en"})
        changed += import_offices_and_bases(folder)

        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise CommandError("no default site: import the catalogue first")
        home = site.root_page.specific
        index = ThemeIndexPage.objects.child_of(home).first()
        sites = _load(folder / "_sites.yaml") if (folder / "_sites.yaml").exists() else {}
        saved, missing = 0, []
        # Parents first, so the themes' translations land under the translated index, not a copied one.
        for page, data in ((home, sites.get("home") or {}), (index, sites.get("index") or {})):
            did, gaps = translate_page(page, {k: v for k, v in data.items() if k in ("title", "intro")}, locale)
            saved += did
            missing += [f"{page.title}: {g}" for g in gaps]
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith("_"):
                continue
            data = _load(path)
            code = data.get("code") or path.stem
            page = ThemePage.objects.filter(code=code, locale=home.locale, alias_of__isnull=True) \
                .descendant_of(home).first()
            if page is None:
                raise CommandError(f"{path.name}: no theme {code} on {site.site_name}")
            if not _in_block_format(page):
                _normalise_options(page)
                page = ThemePage.objects.get(pk=page.pk)
            strings = theme_strings(page, data)
            did, gaps = translate_page(page, strings, locale)
            saved += did
            missing += [f"{code}: {g}" for g in gaps]
        # After any publication still pending (run inside a caller's transaction).
        transaction.on_commit(lambda: _fix_numchild(locale))
        for line in missing:
            self.stderr.write(f"untranslated: {line}")
        self.stdout.write(f"{folder.name}: pages saved {saved}, registry rows updated {changed}, "
                          f"untranslated segments {len(missing)}")


def _fix_numchild(locale: Locale) -> None:
    """Re-saving a translated parent from its source's serialised copy can write back a stale child count
    (treebeard's numchild), which hides its children from routing: recount the locale's pages."""
    for page in Page.objects.filter(locale=locale).only("pk", "path", "depth", "numchild"):
        count = Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
        if count != page.numchild:
            Page.objects.filter(pk=page.pk).update(numchild=count)
