"""Screening regression snapshots: every answer path of every theme and its checklist, against committed files."""

import pytest

from screening import snapshots

ACCEPT = "若变化符合预期，运行 `.venv/bin/python manage.py screening_snapshots` 接受新快照并提交。"
SAMPLE = ["AK-YJS-001", "AK-YJS-013", "AK-YJS-021", "AK-YJS-040"]


@pytest.fixture(scope="module")
def from_files(catalogue_dir):
    return snapshots.render_catalogue(catalogue_dir)


def _fail_with_diffs(diffs):
    shown = "\n".join(d if len(d) < 3000 else d[:3000] + "\n…（以下省略）\n" for d in diffs[:3])
    pytest.fail(f"{len(diffs)} 个快照与已提交的文件不一致：\n{shown}\n{ACCEPT}", pytrace=False)


def test_catalogue_snapshots_match_committed_files(from_files):
    diffs = snapshots.compare(from_files)
    if diffs:
        _fail_with_diffs(diffs)


def test_answer_path_totals(from_files):
    assert len(from_files) == 100
    assert sum(s.paths for s in from_files.values()) == 34_911
    assert sum(s.not_applicable for s in from_files.values()) == 52


def test_snapshot_lines_are_one_per_path(from_files):
    snap = from_files["AK-YJS-001"]
    lines = [line for line in snap.text.splitlines() if not line.startswith("#")]
    assert len(lines) == snap.paths
    assert lines[0].startswith("subject=individual food=none area=small")
    assert all(" → " in line for line in lines)
    assert any(line.endswith("→ 不适用") for s in from_files.values() for line in s.text.splitlines())


def test_diff_names_the_theme_and_how_to_accept(tmp_path, from_files):
    sample = {code: from_files[code] for code in SAMPLE[:1]}
    snapshots.write(sample, tmp_path)
    assert snapshots.compare(sample, tmp_path) == []
    path = snapshots.snapshot_path(SAMPLE[0], tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if not line.startswith("#")) + 3
    original = lines[n]
    lines[n] = original.replace("→", "→ 变了", 1)
    path.write_text("".join(lines), encoding="utf-8")
    (tmp_path / "AK-GONE.txt").write_text("x\n", encoding="utf-8")
    diffs = snapshots.compare(sample, tmp_path)
    assert len(diffs) == 2
    assert "AK-YJS-001.txt（已提交）" in diffs[0] and "+" + original in diffs[0]
    assert "AK-GONE.txt" in diffs[1]


def test_check_command_passes_on_committed_files():
    from django.core.management import call_command

    call_command("screening_snapshots", "--check", verbosity=0)


@pytest.mark.django_db
def test_database_pages_give_the_same_snapshots(from_files):
    """The import keeps what a theme means: page_to_spec over the imported pages renders the same text."""
    from guides.models import ThemePage
    from guides.spec import Lookups, page_to_spec

    pages = list(ThemePage.objects.filter(code__in=SAMPLE, alias_of__isnull=True, locale__language_code="zh-hans").select_related("category"))
    assert sorted(p.code for p in pages) == sorted(SAMPLE)
    lookups = Lookups.for_pages(pages)
    from_db = snapshots.render_specs([page_to_spec(p, lookups) for p in pages], lookups.item_registry())
    diffs = snapshots.compare(from_db)
    # compare() also lists every other theme's file as stale here; only the sample's own diffs count.
    own = [d for d in diffs if any(f"{code}.txt（已提交）" in d.splitlines()[0] for code in SAMPLE)]
    if own:
        _fail_with_diffs(own)
    for code in SAMPLE:
        assert from_db[code].text == from_files[code].text
