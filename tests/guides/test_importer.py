"""The catalogue importer: the good catalogue, every kind of bad input, idempotence, and the round trip."""

import io
import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision, Site

from guides.catalogue import CatalogueError, read_catalogue
from guides.models import Department, FormField, Material, ServiceItem, ServiceLocation, ThemePage
from guides.spec import canonical
from home.models import HomePage

pytestmark = pytest.mark.django_db


def _state():
    """Everything an import may touch, as counts and a content fingerprint."""
    return (
        Page.objects.count(), Revision.objects.count(), Site.objects.count(), ServiceItem.objects.count(),
        Department.objects.count(), Material.objects.count(), FormField.objects.count(),
        ServiceLocation.objects.count(),
        sorted(ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").values_list("code", "title", "latest_revision_id")),
    )


@pytest.fixture
def bad_dir(tmp_path, catalogue_dir):
    target = tmp_path / "catalogue"
    shutil.copytree(catalogue_dir, target)
    return target


def _edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_reference_catalogue_is_imported_on_every_site():
    assert HomePage.objects.filter(locale__language_code="zh-hans").count() == 11
    assert Site.objects.count() == 11
    city = Site.objects.get(is_default_site=True)
    assert city.hostname == "localhost"
    assert Site.objects.filter(hostname="hanbin.localhost").exists()
    originals = ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans")
    assert originals.count() == 100
    # 90 city-wide themes shown on 10 counties as aliases; 10 county-only themes on their county alone.
    assert ThemePage.objects.filter(alias_of__isnull=False, locale__language_code="zh-hans").count() == 900
    hanbin_only = ThemePage.objects.filter(alias_of__isnull=True, locale__language_code="zh-hans").exclude(path__startswith=city.root_page.path)
    assert hanbin_only.count() == 10
    assert ServiceItem.objects.count() == 377
    assert ServiceLocation.objects.filter(site=city).count() == 2


def test_second_import_changes_nothing(catalogue_dir):
    before = _state()
    call_command("import_catalogue", str(catalogue_dir), "--no-progress", verbosity=0)
    assert _state() == before


def test_import_updates_in_place_and_keeps_hand_made_pages(bad_dir):
    index = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans").get_parent()
    hand_made = Page(title="编辑手工添加的说明页", slug="hand-made")
    index.add_child(instance=hand_made)
    _edit_yaml(bad_dir / "themes" / "AK-YJS-001.yaml", lambda t: t.update(title="我要开便利店"))
    call_command("import_catalogue", str(bad_dir), "--no-progress", verbosity=0)
    page = ThemePage.objects.get(code="AK-YJS-001", alias_of__isnull=True, locale__language_code="zh-hans")
    assert page.title == "我要开便利店"
    assert ThemePage.objects.filter(code="AK-YJS-001", locale__language_code="zh-hans").count() == 11
    # Aliases follow the original on publish.
    assert set(ThemePage.objects.filter(code="AK-YJS-001", locale__language_code="zh-hans").values_list("title", flat=True)) == {"我要开便利店"}
    assert Page.objects.filter(pk=hand_made.pk).exists()


BAD_CASES = {
    "unknown item": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml", lambda t: t["items"].append({"item": "AK-XX-9999"})),
        "AK-YJS-001.yaml", "未知的事项",
    ),
    "duplicate item code": (
        lambda d: _edit_yaml(d / "items.yaml", lambda rows: rows.append(dict(rows[0]))),
        "items.yaml", "重复的 code",
    ),
    "duplicate theme code": (
        lambda d: (d / "themes" / "AK-YJS-999.yaml").write_text(
            (d / "themes" / "AK-YJS-001.yaml").read_text(encoding="utf-8"), encoding="utf-8"),
        "AK-YJS-999.yaml", "重复",
    ),
    "condition on unknown option": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml",
                             lambda t: t["items"][0].update(when={"q": "subject", "in": ["martian"]})),
        "AK-YJS-001.yaml", "martian",
    ),
    "has on a single-choice question": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml",
                             lambda t: t["items"][0].update(when={"q": "subject", "has": "company"})),
        "AK-YJS-001.yaml", "subject",
    ),
    "material for an item not bundled": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml",
                             lambda t: t["materials"][0]["for_items"].append("AK-XK-0300")),
        "AK-YJS-001.yaml", "AK-XK-0300",
    ),
    "unknown department": (
        lambda d: _edit_yaml(d / "items.yaml", lambda rows: rows[0].update(department="NOPE")),
        "items.yaml", "NOPE",
    ),
    "unknown material code": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml", lambda t: t["materials"][0].update(code="M-NOPE")),
        "AK-YJS-001.yaml", "materials.yaml",
    ),
    "unknown site": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml", lambda t: t.update(sites=["atlantis"])),
        "AK-YJS-001.yaml", "atlantis",
    ),
    "missing key": (
        lambda d: _edit_yaml(d / "themes" / "AK-YJS-001.yaml", lambda t: t.pop("summary")),
        "AK-YJS-001.yaml", "summary",
    ),
    "yaml syntax error": (
        lambda d: (d / "themes" / "AK-YJS-002.yaml").write_text("code: AK-YJS-002\ntitle: [未闭合\nsummary: x\n",
                                                                  encoding="utf-8"),
        "AK-YJS-002.yaml", "第 ",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_catalogue_is_rejected_whole(case, bad_dir):
    spoil, file, words = BAD_CASES[case]
    # A valid change elsewhere must not land either: all or nothing.
    _edit_yaml(bad_dir / "themes" / "AK-YJS-003.yaml", lambda t: t.update(title="不应写入的标题"))
    spoil(bad_dir)
    before = _state()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_catalogue", str(bad_dir), "--no-progress", verbosity=0, stderr=stderr)
    messages = stderr.getvalue().splitlines()
    assert any(file in m and words in m for m in messages), messages
    assert _state() == before
    assert not ThemePage.objects.filter(title="不应写入的标题").exists()


def test_yaml_error_names_the_line(bad_dir):
    (bad_dir / "themes" / "AK-YJS-002.yaml").write_text("code: AK-YJS-002\ntitle: [未闭合\nsummary: x\n",
                                                         encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        read_catalogue(bad_dir)
    (problem,) = [p for p in info.value.problems if "AK-YJS-002" in p.file]
    assert "YAML 语法错误" in problem.message and "行" in problem.entry


def test_export_then_import_is_a_fixed_point(tmp_path, catalogue_dir):
    first = tmp_path / "first"
    call_command("export_catalogue", str(first), verbosity=0)
    # The export holds the same data as the reference catalogue, file by file.
    for path in sorted((catalogue_dir / "themes").glob("*.yaml")):
        original = yaml.safe_load(path.read_text(encoding="utf-8"))
        exported = yaml.safe_load((first / "themes" / path.name).read_text(encoding="utf-8"))
        assert exported == canonical(original), path.name
    for name in ("departments.yaml", "items.yaml", "materials.yaml", "fields.yaml", "sites.yaml", "locations.yaml"):
        assert yaml.safe_load((first / name).read_text(encoding="utf-8")) == yaml.safe_load(
            (catalogue_dir / name).read_text(encoding="utf-8")), name
    before = _state()
    call_command("import_catalogue", str(first), "--no-progress", verbosity=0)
    assert _state() == before
    second = tmp_path / "second"
    call_command("export_catalogue", str(second), verbosity=0)
    for path in sorted(first.rglob("*.yaml")):
        assert path.read_text(encoding="utf-8") == (second / path.relative_to(first)).read_text(encoding="utf-8")
