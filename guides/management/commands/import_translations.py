"""Create or update page translations (English) from data files, through wagtail-localize.

    manage.py import_translations demo/translations/en

The folder is named after the target language. ``_registries.yaml`` holds the registries' English names
(departments, items, materials, form fields), ``_sites.yaml`` the home and theme index pages of the city site and
the counties' English names, ``<THEME CODE>.yaml`` one theme's texts keyed by ids (question and option ids, material
codes, step order), so a translation file can only supply words: codes, conditions, options, items and figures come
from the Chinese page (synchronised fields, identifier blocks without segments).

Each page goes the way an editor's translation goes: TranslationSource (refreshed from the source page), a
Translation to the locale, one StringTranslation per segment, then save_target(publish=True). Idempotent: a page is
saved again only when its source or one of its strings changed.

A translated theme's slug comes from its English title (``opening-a-supermarket``), unique among its siblings, and is
kept once given: a later title change does not move the page. A changed slug (the pinyin slug of an earlier import)
leaves a redirect, made by wagtail.contrib.redirects on the slug change.

County sites get an English tree too (``translate_counties``): their home and theme index are translated like the
city's, and each county alias of a translated city theme gets an English twin: an alias of the English city page,
linked to the county's Chinese alias as its translation (same translation key). That is what Wagtail's
copy_for_translation(alias=True) makes for an untranslated page, except that the twin follows the English city page
rather than the Chinese one, so county visitors read the city's translation and each republish of it reaches them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from wagtail.coreutils import find_available_slug
from wagtail.models import Locale, Page, Site
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from guides.cache import bump_content_version
from guides.extensions import site_root, theme_changed
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
        wanted = {column: row.get(name) or model._meta.get_field(column).get_default()
                  for name, column in fields.items()}
        if "choices_en" in wanted and wanted["choices_en"] and len(wanted["choices_en"]) != len(obj.choices or []):
            # Choices pair up by position with the stored Chinese values: a count mismatch would mislabel them.
            raise CommandError(f"fields.{obj.code}.choices: {len(wanted['choices_en'])} English choices for "
                               f"{len(obj.choices or [])} Chinese")
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


def _english_slug(page, source: TranslationSource, locale: Locale, title: str) -> str | None:
    """The translation's slug: the one it was given before (stable URLs), else its title slugified and made unique
    among the translated parent's children. None when the title gives no slug."""
    segment = source.stringsegment_set.filter(context__path="slug").select_related("string", "context").first()
    if segment is not None:
        given = StringTranslation.objects.filter(translation_of=segment.string, locale=locale,
                                                 context=segment.context).values_list("data", flat=True).first()
        # A slug equal to the source's is the untranslated (pinyin) one an earlier import left: replace it.
        if given and given != segment.string.data:
            return given
    wanted = slugify(title)[:80].strip("-")
    if not wanted:
        return None
    parent = page.get_parent().get_translation_or_none(locale)
    if parent is None:
        return wanted
    target = page.get_translation_or_none(locale)
    return find_available_slug(parent, wanted, ignore_page_id=target.pk if target is not None else None)


def translate_page(page, strings: dict[str, str], locale: Locale, slug_from_title: bool = False) -> tuple[bool, list[str]]:
    """Bring ``page``'s translation into ``locale`` up to date; (saved, paths of segments left untranslated)."""
    source, created = TranslationSource.get_or_create_from_instance(page)
    changed = created
    if not created:
        before = source.content_json
        source.update_from_db()
        changed = source.content_json != before
    if slug_from_title and strings.get("title"):
        slug = _english_slug(page, source, locale, strings["title"])
        strings = {**strings, "slug": slug} if slug else strings
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


@dataclass
class CountyReport:
    saved: int = 0  # county homes and theme indexes (re)translated
    created: int = 0  # English theme aliases created
    updated: int = 0  # English theme aliases whose slug followed the English city page
    missing: list[str] = field(default_factory=list)


def _county_name(entry) -> dict[str, str]:
    return {"title": entry} if isinstance(entry, str) else dict(entry or {})


def translate_counties(city_home, sites: dict, themes: list[ThemePage], locale: Locale) -> CountyReport:
    """Each county site's English tree: its home and theme index translated, and for every translated city theme
    the county shows, an English alias of the English city page as the translation of the county's Chinese alias.

    A county without an English name in ``_sites.yaml`` (``counties``) keeps no English tree: its visitors switching
    language land on the English city site's home with the untranslated note, as before.
    """
    report = CountyReport()
    names = sites.get("counties") or {}
    defaults = {"home": sites.get("home") or {}, "index": sites.get("index") or {}}
    english = {}  # Chinese city theme pk -> its English page
    changed: set[str] = set()  # theme codes to reindex, once each
    for page in themes:
        target = page.get_translation_or_none(locale)
        if target is not None:
            english[page.pk] = target.specific
    for site in Site.objects.exclude(root_page=city_home).select_related("root_page").order_by("hostname"):
        home = site.root_page.specific
        if not isinstance(home, site_root()) or home.locale_id == locale.pk:
            continue
        name = _county_name(names.get(home.site_code))
        if not name.get("title"):
            report.missing.append(f"{home.title}: no English name in _sites.yaml (counties.{home.site_code})")
            continue
        index = ThemeIndexPage.objects.child_of(home).first()
        # The slug copy_for_translation gives a root's child (hanbin-en), so that saving the translation does not
        # change it: a site root's slug change makes wagtail.contrib.redirects delete every automatic redirect
        # (an empty batch clears all of them in BatchRedirectCreator.pre_process).
        pages = [(home, {"intro": defaults["home"].get("intro", ""), **name,
                         "slug": f"{home.slug}-{locale.language_code}"})]
        if index is not None:
            pages.append((index, defaults["index"]))
        for page, data in pages:
            wanted = {k: v for k, v in data.items() if k in ("title", "intro", "slug") and v}
            did, gaps = translate_page(page, wanted, locale)
            report.saved += did
            report.missing += [f"{page.title}: {g}" for g in gaps]
        if index is None or not english:
            continue
        english_index = index.get_translation(locale)
        aliases = ThemePage.objects.child_of(index).filter(alias_of_id__in=list(english))
        # One commit per county, not per page: aliases are created live, nothing waits for the commit.
        with transaction.atomic():
            for alias in aliases.only("pk", "translation_key", "alias_of_id", "code"):
                created, updated = _county_alias(alias, english[alias.alias_of_id], english_index, locale)
                report.created += created
                report.updated += updated
                if created or updated:
                    changed.add(alias.code)
    for code in sorted(changed):
        schedule_reindex(code)
    return report


def _county_alias(alias: ThemePage, original: ThemePage, parent: ThemeIndexPage, locale: Locale) -> tuple[bool, bool]:
    """Make sure the county's Chinese ``alias`` has an English translation that is an alias of ``original`` (the
    English city page); (created, slug updated). An English page an editor made differently is left alone."""
    existing = Page.objects.filter(translation_key=alias.translation_key, locale=locale).first()
    if existing is None:
        with transaction.atomic():
            # As copy_for_translation(alias=True) does, but aliasing the English original: create_alias takes no
            # translation key, so the alias gets the county page's key right after (unique with the locale).
            twin = original.create_alias(parent=parent, update_slug=find_available_slug(parent, original.slug),
                                         update_locale=locale)
            Page.objects.filter(pk=twin.pk).update(translation_key=alias.translation_key)
        return True, False
    if existing.alias_of_id != original.pk or existing.slug == original.slug:
        return False, False
    # The English city page's slug changed (pinyin from an earlier import): follow it; the redirect comes with it.
    existing.slug = find_available_slug(parent, original.slug, ignore_page_id=existing.pk)
    existing.save(clean=False)
    return False, True


def schedule_reindex(code: str) -> None:
    # A new alias is not a publish, so no page signal reaches the search index: say so directly.
    theme_changed.send(sender=ThemePage, code=code)


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
        with transaction.atomic():  # a rejected registry file changes nothing
            changed = _update_registry(Department, "code", registries.get("departments", {}),
                                       {"name": "name_en", "short": "short_en"})
            changed += _update_registry(ServiceItem, "code", registries.get("items", {}), {"name": "name_en"})
            changed += _update_registry(Material, "code", registries.get("materials", {}), {"name": "name_en"})
            changed += _update_registry(FormField, "code", registries.get("fields", {}),
                                        {"label": "label_en", "choices": "choices_en"})
            changed += import_offices_and_bases(folder)

        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise CommandError("no default site: import the catalogue first")
        home = site.root_page.specific
        index = ThemeIndexPage.objects.child_of(home).first()
        sites = _load(folder / "_sites.yaml") if (folder / "_sites.yaml").exists() else {}
        saved, missing, translated = 0, [], []
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
            did, gaps = translate_page(page, strings, locale, slug_from_title=True)
            saved += did
            missing += [f"{code}: {g}" for g in gaps]
            translated.append(page)
        county = translate_counties(home, sites, translated, locale)
        # After any publication still pending (run inside a caller's transaction).
        transaction.on_commit(lambda: _fix_numchild(locale))
        for line in missing + county.missing:
            self.stderr.write(f"untranslated: {line}")
        self.stdout.write(f"{folder.name}: pages saved {saved}, registry rows updated {changed}, "
                          f"untranslated segments {len(missing)}")
        self.stdout.write(f"{folder.name} counties: pages saved {county.saved}, theme aliases created "
                          f"{county.created}, updated {county.updated}")


def _fix_numchild(locale: Locale) -> None:
    """Re-saving a translated parent from its source's serialised copy can write back a stale child count
    (treebeard's numchild), which hides its children from routing: recount the locale's pages."""
    for page in Page.objects.filter(locale=locale).only("pk", "path", "depth", "numchild"):
        count = Page.objects.filter(path__startswith=page.path, depth=page.depth + 1).count()
        if count != page.numchild:
            Page.objects.filter(pk=page.pk).update(numchild=count)
            bump_content_version()  # update() sends no signal, and routing to the children changes
