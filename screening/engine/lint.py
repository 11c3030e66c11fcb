"""The editors' checks of a theme: faults in its conditions and options that have no effect."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from .evaluation import _select, _Selection, answer_paths
from .model import (
    MAX_ANSWER_PATHS,
    AnswerValue,
    Condition,
    Option,
    Problem,
    Theme,
    ThemeSpecError,
    TooManyAnswerPaths,
    _SpecReader,
)


def _walk_leaves(cond: Condition | None) -> Iterator[Condition]:
    if cond is None:
        return
    if "all" in cond or "any" in cond:
        for c in cond.get("all", cond.get("any")):
            yield from _walk_leaves(c)
    elif "not" in cond:
        yield from _walk_leaves(cond["not"])
    else:
        yield cond


def _condition_problems(theme: Theme, cond: Condition | None, kind: str, location: str,
                        before: int | None = None) -> list[Problem]:
    """Errors in one condition; ``before`` (for show_if) is the index of the question it belongs to."""
    problems: list[Problem] = []
    index = theme._compiled.question_index

    def err(code: str, message: str) -> None:
        problems.append(Problem("error", code, message, kind, location))

    for leaf in _walk_leaves(cond):
        qid = leaf["q"]
        question = theme.question(qid)
        if question is None:
            err("unknown_question", f"条件引用了不存在的问题“{qid}”。")
            continue
        if before is not None and index[qid] >= before:
            err("forward_reference", f"显示条件只能引用前面的问题，不能引用“{qid}”（本题或后面的问题）。")
        if "in" in leaf:
            if question.multi:
                err("in_on_multi", f"“{qid}”是多选题，条件应写成 has（包含某一选项），不能用 in。")
            options = leaf["in"]
        else:
            if not question.multi:
                err("has_on_single", f"“{qid}”是单选题，条件应写成 in（选择其中之一），不能用 has。")
            options = [leaf["has"]]
        for option in options:
            if question.option(option) is None:
                err("unknown_option", f"条件引用了问题“{qid}”不存在的选项“{option}”。")
    return problems


def _structural_problems(theme: Theme) -> list[Problem]:
    problems = []
    if not theme.items:
        problems.append(Problem("error", "no_items", "主题至少要包含一个事项。", "theme", theme.code))
    for n, q in enumerate(theme.questions):
        if len(q.options) < 2:
            problems.append(Problem("error", "too_few_options", f"问题“{q.text}”至少要有两个选项。", "question", q.id))
        if not q.multi:
            problems.extend(Problem("error", "exclusive_on_single", f"单选题“{q.text}”的选项“{o.label}”不能标为“单独选择”。",
                                    "option", f"{q.id}.{o.id}") for o in q.options if o.exclusive)
        problems.extend(_condition_problems(theme, q.show_if, "question", q.id, before=n))
    for item in theme.items:
        problems.extend(_condition_problems(theme, item.when, "item", item.code))
    bundled = {i.code for i in theme.items}
    for m in theme.materials:
        if not m.for_items:
            problems.append(Problem("error", "material_without_items", f"材料“{m.name}”没有填写用于哪些事项。", "material", m.code))
        problems.extend(Problem("error", "material_item_not_bundled", f"材料“{m.name}”用于事项“{code}”，但本主题不包含该事项。",
                                "material", m.code) for code in dict.fromkeys(m.for_items) if code not in bundled)
        problems.extend(_condition_problems(theme, m.when, "material", m.code))
    fields = set(theme.fields)
    for rule, count in Counter(r.field for r in theme.field_rules).items():
        if count > 1:
            problems.append(Problem("error", "duplicate_field_rule", f"字段“{rule}”有多条适用条件，请合并为一条。", "field", rule))
    for rule in theme.field_rules:
        if rule.field not in fields:
            problems.append(Problem("error", "field_rule_unknown_field",
                                    f"字段适用条件引用了“{rule.field}”，但它不在本主题的表单字段中。", "field", rule.field))
        problems.extend(_condition_problems(theme, rule.when, "field", rule.field))
    return problems


def _signature(selection: _Selection) -> tuple[Any, ...]:
    return (tuple(i.code for i in selection.items), tuple(m.code for m, _ in selection.materials),
            selection.fields, selection.steps)


def _option_problems(theme: Theme, question_index: int, table: Mapping[AnswerValue, dict[tuple, tuple]]) -> list[Problem]:
    """Options that change nothing, given ``table``: answer value -> {rest of the path: signature}.

    Single choice: option o changes nothing when it is interchangeable with another option o' —
    replacing o by o' on every path (and back) always gives an answer path with the same items,
    materials, fields and steps; each option after the first of such a group is reported.
    Multi-choice, non-exclusive option o: on every path where o is chosen together with other
    options, dropping o gives an answer path with the same selection (and there is such a path).
    Multi-choice, exclusive option e: choosing e alone is interchangeable (as above) with choosing
    alone a non-exclusive option or an earlier exclusive one.
    """
    question = theme.questions[question_index]
    problems = []
    options = question.options

    def rows_of(option: Option) -> dict[tuple, tuple] | None:
        return table.get(frozenset({option.id}) if question.multi else option.id)

    for n, option in enumerate(options):
        if question.multi and not option.exclusive:
            continue
        # Interchangeability is an equivalence: comparing with earlier options reports all but the
        # first of each group. An exclusive option also compares with every non-exclusive one.
        candidates = [o for k, o in enumerate(options) if k < n or (question.multi and k > n and not o.exclusive)]
        other = next((o for o in candidates if rows_of(o) == rows_of(option)), None)
        if other is not None:
            problems.append(Problem("warning", "option_no_effect",
                                    f"问题“{question.text}”中，选“{option.label}”与选“{other.label}”在任何情形下"
                                    "得到的事项、材料、表单字段和流程都相同，请合并选项或补充适用条件。",
                                    "option", f"{question.id}.{option.id}"))
    if question.multi:
        for option in question.options:
            pairs = [(rows, table.get(value - {option.id})) for value, rows in table.items()
                     if option.id in value and len(value) > 1]
            if pairs and all(rows == without for rows, without in pairs):
                problems.append(Problem("warning", "option_no_effect",
                                        f"问题“{question.text}”中，同时勾选了其他选项时，是否勾选“{option.label}”都不改变"
                                        "事项、材料、表单字段和流程；如属有意可忽略，否则请检查是否漏设了适用条件。",
                                        "option", f"{question.id}.{option.id}"))
    return problems


def lint(theme: Theme, *, path_limit: int = MAX_ANSWER_PATHS) -> list[Problem]:
    """Problems an editor should fix (errors) or look at (warnings); never raises.

    Errors (structural, checked first): unknown question or option in a condition, ``in`` on a
    multi-choice or ``has`` on a single-choice question, show_if reading the same or a later
    question, a material for an item the theme does not bundle or for no item, a field rule for a
    field not in ``fields`` or several rules for one field, an exclusive option in a single-choice
    question, a question with fewer than two options, a theme without items; then, only when
    there is none of those, more than ``path_limit`` answer paths.
    Warnings, over all answer paths: a question never shown, an option that changes nothing (see
    `_option_problems`), an item or material that never applies, a step whose department never
    has an applying item (including a department no bundled item belongs to, or a misspelt actor).
    """
    problems = _structural_problems(theme)
    if problems:
        return problems
    shown: set[str] = set()
    items: set[str] = set()
    materials: set[str] = set()
    departments: set[str] = set()
    tables: list[dict[AnswerValue, dict[tuple, tuple]]] = [{} for _ in theme.questions]
    qids = [q.id for q in theme.questions]
    try:
        for path in answer_paths(theme, path_limit):
            selection = _select(theme, path)
            shown.update(path)
            items.update(i.code for i in selection.items)
            materials.update(m.code for m, _ in selection.materials)
            departments.update(selection.departments)
            signature = _signature(selection)
            key = tuple(path.get(q) for q in qids)
            for n, qid in enumerate(qids):
                if qid in path:
                    tables[n].setdefault(path[qid], {})[key[:n] + key[n + 1:]] = signature
    except TooManyAnswerPaths:
        return [Problem("error", "too_many_paths",
                        f"情形组合超过 {path_limit} 种，请减少问题或选项，或用显示条件只在需要时追问。", "theme", theme.code)]
    for n, q in enumerate(theme.questions):
        if q.id not in shown:
            problems.append(Problem("warning", "question_never_shown", f"问题“{q.text}”在任何情形下都不会显示。", "question", q.id))
        else:
            problems.extend(_option_problems(theme, n, tables[n]))
    problems.extend(Problem("warning", "item_never_applies", f"事项“{i.name}”在任何情形下都不适用。", "item", i.code)
                    for i in theme.items if i.code not in items)
    problems.extend(Problem("warning", "material_never_applies", f"材料“{m.name}”在任何情形下都不需要提交。", "material", m.code)
                    for m in theme.materials if m.code not in materials)
    problems.extend(Problem("warning", "step_department_without_item",
                            f"流程“{s.name}”由“{s.actor}”办理，但在任何情形下都没有该部门的事项，这一步永远不会列出。",
                            "step", str(n + 1))
                    for n, s in enumerate(theme.steps) if s.department is not None and s.department not in departments)
    return problems


def lint_spec(spec: object, items: Mapping[str, Mapping[str, Any]], *, path_limit: int = MAX_ANSWER_PATHS) -> list[Problem]:
    """`lint` for a raw theme dict: its shape problems if `Theme.from_spec` refuses it. Never raises."""
    try:
        theme = _SpecReader(items).theme(spec)
    except ThemeSpecError as exc:
        return exc.problems
    return lint(theme, path_limit=path_limit)
