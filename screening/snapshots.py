"""Regression snapshots of the screening: every answer path of a theme and the checklist it gives, as text.

Pure (no Django): `render_theme` turns an engine `Theme` into stable text, one line per answer path, so a
change in the engine, the catalogue or the import shows up as a readable diff of committed files.

Format: a header (lines starting with ``#``) numbers the theme's items, materials, steps and fields; each
path line then refers to those numbers to stay short::

    food=yes food_kind=prepacked+bulk → 事项 1,2 | 材料 m1,4(1,2) m3,5-7(2) | 字段 1-5,7 | 流程 1-4 | 天 10/5/40

``天`` is steps/items_promised_max/items_legal_sum (working days) of the outcome. Answers that select no
item read ``→ 不适用``. Visits and the before/after days do not depend on the answers: they are in the header.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engine import AnswerValue, Outcome, Theme, answer_paths, evaluate

#: Where the committed snapshot files live, one per theme.
SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshots"
#: No theme of the reference catalogue comes near the engine's default cap; this one is only a guard.
PATH_LIMIT = 20_000


@dataclass(frozen=True)
class Snapshot:
    code: str
    text: str
    paths: int
    not_applicable: int


def _ranges(numbers: Iterable[int]) -> str:
    """1,2,3,5 -> "1-3,5": fields and steps mostly come in runs."""
    out: list[str] = []
    run: list[int] = []
    for n in numbers:
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)))
        run = [n]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)))
    return ",".join(out) or "-"


def _answer(theme: Theme, qid: str, value: AnswerValue) -> str:
    if isinstance(value, str):
        return f"{qid}={value}"
    question = theme.question(qid)
    ordered = [o for o in question.option_ids if o in value] if question else sorted(value)
    return f"{qid}={'+'.join(ordered)}"


def _header(theme: Theme) -> list[str]:
    lines = [f"# {theme.code} {theme.title}",
             f"# 跑动 {theme.visits.before}→{theme.visits.after} 次；时限 {theme.days.before}→{theme.days.after} 个工作日"]
    for q in theme.questions:
        options = ",".join(f"{o.id}{'!' if o.exclusive else ''}" for o in q.options)
        lines.append(f"# 问题 {q.id} [{'多选' if q.multi else '单选'}] {options}")
    lines.extend(f"# 事项 {n} {i.code} {i.name}（{i.department}，承诺 {i.promised_days}，法定 {i.legal_days}）"
                 for n, i in enumerate(theme.items, 1))
    lines.extend(f"# 材料 m{n} {m.code} {m.name}（{m.source}，{m.form}，{m.copies} 份）" + (f" 备注：{m.note}" if m.note else "")
                 for n, m in enumerate(theme.materials, 1))
    lines.extend(f"# 流程 {n} {s.name}（{s.actor}，{s.days} 天）" for n, s in enumerate(theme.steps, 1))
    lines.extend(f"# 字段 {n} {f}" for n, f in enumerate(theme.fields, 1))
    return lines


def render_outcome(theme: Theme, outcome: Outcome) -> str:
    """The checklist part of a path line (after the arrow)."""
    if not outcome.items:
        return "不适用"
    item_no = {i.code: n for n, i in enumerate(theme.items, 1)}
    material_no = {id(m): n for n, m in enumerate(theme.materials, 1)}
    step_no = {id(s): n for n, s in enumerate(theme.steps, 1)}
    field_no = {f: n for n, f in enumerate(theme.fields, 1)}
    items = ",".join(str(item_no[c]) for c in outcome.items)
    # Materials serving the same items share one group, e.g. m2,5-6(2,3): most lines stay short.
    groups: dict[tuple[str, ...], list[int]] = {}
    for m, served in outcome.materials:
        groups.setdefault(served, []).append(material_no[id(m)])
    materials = " ".join(f"m{_ranges(numbers)}({','.join(str(item_no[c]) for c in served)})"
                         for served, numbers in groups.items()) or "-"
    days = outcome.days
    return (f"事项 {items} | 材料 {materials} | 字段 {_ranges(field_no[f] for f in outcome.fields)}"
            f" | 流程 {_ranges(step_no[id(s)] for s in outcome.steps)}"
            f" | 天 {days['steps']}/{days['items_promised_max']}/{days['items_legal_sum']}")


def render_theme(theme: Theme) -> Snapshot:
    """Every answer path of the theme, in `answer_paths` order, with its checklist."""
    lines: list[str] = []
    not_applicable = 0
    for path in answer_paths(theme, PATH_LIMIT):
        outcome = evaluate(theme, path)
        if not outcome.complete:
            # answer_paths yields complete answers only; anything else is an engine bug worth seeing.
            raise AssertionError(f"{theme.code}: incomplete outcome for {path}")
        if not outcome.items:
            not_applicable += 1
        answers = " ".join(_answer(theme, q, v) for q, v in path.items()) or "（无问题）"
        lines.append(f"{answers} → {render_outcome(theme, outcome)}")
    header = _header(theme)
    header.append(f"# 答案路径 {len(lines)} 条，其中不适用 {not_applicable} 条")
    return Snapshot(theme.code, "\n".join(header + lines) + "\n", len(lines), not_applicable)


def render_specs(specs: Iterable[Mapping[str, Any]], items: Mapping[str, Mapping[str, Any]]) -> dict[str, Snapshot]:
    """Snapshots of theme specs (catalogue dicts or `page_to_spec` output), by theme code."""
    out = {}
    for spec in specs:
        snapshot = render_theme(Theme.from_spec(spec, items))
        out[snapshot.code] = snapshot
    return out


def render_catalogue(root: Path | str) -> dict[str, Snapshot]:
    """Snapshots of every theme of a catalogue directory, read without a database."""
    from guides.catalogue import read_catalogue  # plain YAML reading; imports no Django models

    catalogue = read_catalogue(root)
    return render_specs(catalogue.themes, catalogue.item_registry())


def snapshot_path(code: str, directory: Path = SNAPSHOT_DIR) -> Path:
    return directory / f"{code}.txt"


def compare(snapshots: Mapping[str, Snapshot], directory: Path = SNAPSHOT_DIR) -> list[str]:
    """Unified diffs, one per theme whose committed file differs (missing and stale files included)."""
    diffs = []
    for code, snapshot in sorted(snapshots.items()):
        path = snapshot_path(code, directory)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old != snapshot.text:
            diffs.append("".join(difflib.unified_diff(
                old.splitlines(keepends=True), snapshot.text.splitlines(keepends=True),
                fromfile=f"{path.name}（已提交）", tofile=f"{path.name}（当前）", n=1)))
    expected = {snapshot_path(code, directory).name for code in snapshots}
    stale = sorted(p.name for p in directory.glob("*.txt") if p.name not in expected) if directory.is_dir() else []
    diffs.extend(f"--- {name}（已提交）\n+++ （当前目录中已无此主题）\n" for name in stale)
    return diffs


def write(snapshots: Mapping[str, Snapshot], directory: Path = SNAPSHOT_DIR) -> int:
    """Write every snapshot, remove files of themes that are gone; return how many files changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = 0
    for code, snapshot in snapshots.items():
        path = snapshot_path(code, directory)
        if not path.exists() or path.read_text(encoding="utf-8") != snapshot.text:
            path.write_text(snapshot.text, encoding="utf-8")
            changed += 1
    wanted = {snapshot_path(code, directory).name for code in snapshots}
    for path in directory.glob("*.txt"):
        if path.name not in wanted:
            path.unlink()
            changed += 1
    return changed
