"""Screening engine: which items, materials, fields and steps a visitor's answers select.

This module implements SCHEMA.md, section "What a visitor's answers select", once, for the wizard,
the JSON API, the importer and the editors' checks. It is pure Python (stdlib only) so that it can be
tested without Django and reused anywhere.

Vocabulary
----------
* A *theme* (主题服务) bundles items (事项) and asks questions (情形) in order; a question is shown
  only while its ``show_if`` condition holds for the answers to the questions before it.
* *Answers* map a question id to an option id (single choice) or a frozenset of option ids
  (multi-choice). Only answers to shown questions count: a hidden question has no answer and every
  ``in``/``has`` on it is false.
* Conditions keep the dict form of the YAML (``{q, in}``, ``{q, has}``, ``{all}``, ``{any}``,
  ``{not}``); `Theme` compiles them into closures once, so evaluating thousands of answer paths is fast.

Entry points: `Theme.from_spec`, `parse_answers`, `evaluate`, `evaluate_params`, `prune`,
`to_query`, `answer_paths`, `lint`, `lint_spec`, `situation_tree`.
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

#: Step actors that are not departments (SCHEMA.md); any other actor is a department code.
FIXED_ACTORS = frozenset({"申请人", "综合窗口", "快递", "并联"})
#: Default safety cap on the number of answer paths of one theme.
MAX_ANSWER_PATHS = 20_000
#: Conditions nested deeper than this are refused (editors never need it; it bounds recursion).
MAX_CONDITION_DEPTH = 32

Condition = dict[str, Any]
AnswerValue = str | frozenset[str]
Answers = dict[str, AnswerValue]
Predicate = Callable[[Mapping[str, AnswerValue]], bool]
ErrorCode = Literal["unknown_option", "hidden_question", "multiple_values_for_single", "exclusive_combined", "empty",
                    "unknown_question"]


# --------------------------------------------------------------------------- theme model


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    exclusive: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    type: Literal["single", "multi"]
    options: tuple[Option, ...]
    help: str = ""
    show_if: Condition | None = None

    @property
    def multi(self) -> bool:
        return self.type == "multi"

    @cached_property
    def option_ids(self) -> tuple[str, ...]:
        return tuple(o.id for o in self.options)

    @cached_property
    def _options_by_id(self) -> dict[str, Option]:
        return {o.id: o for o in self.options}

    def option(self, option_id: str) -> Option | None:
        return self._options_by_id.get(option_id)


@dataclass(frozen=True)
class Item:
    """A bundled item with the registry facts the checklist needs."""

    code: str
    name: str
    department: str
    promised_days: int
    legal_days: int
    when: Condition | None = None


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    source: str
    form: str
    for_items: tuple[str, ...]
    copies: int = 1
    note: str | None = None
    when: Condition | None = None


@dataclass(frozen=True)
class Step:
    name: str
    actor: str
    days: int

    @property
    def department(self) -> str | None:
        """The department code when the actor is a department, else None."""
        return None if self.actor in FIXED_ACTORS else self.actor


@dataclass(frozen=True)
class FieldRule:
    field: str
    when: Condition | None = None


@dataclass(frozen=True)
class BeforeAfter:
    """A figure before and after the integration (跑动次数, total working days)."""

    before: int = 0
    after: int = 0


@dataclass(frozen=True)
class Problem:
    """A finding of `lint`/`lint_spec`; ``message`` is Chinese, for editors.

    ``kind`` says what ``location`` names: "theme", "question", "option" (``question.option``),
    "item", "material", "field" or "step" (its 1-based number).
    """

    level: Literal["error", "warning"]
    code: str
    message: str
    kind: str
    location: str

    def as_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "message": self.message,
                "kind": self.kind, "location": self.location}


class ThemeSpecError(ValueError):
    """A theme spec whose shape `Theme.from_spec` cannot build; ``problems`` lists every fault."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.kind} {p.location}: {p.message}" for p in problems))


class TooManyAnswerPaths(ValueError):
    """Raised by `answer_paths` (and what uses it) when a theme has more paths than the cap."""

    def __init__(self, theme: str, limit: int):
        self.theme = theme
        self.limit = limit
        super().__init__(f"theme {theme} has more than {limit} answer paths")


@dataclass(frozen=True)
class _Compiled:
    """Conditions compiled into closures, aligned with the theme's tuples."""

    question_index: Mapping[str, int]
    show_if: tuple[Predicate, ...]
    show_if_refs: tuple[frozenset[str], ...]
    item_when: tuple[Predicate, ...]
    material_when: tuple[Predicate, ...]
    material_for: tuple[frozenset[str], ...]
    field_when: tuple[Predicate, ...]


@dataclass(frozen=True)
class Theme:
    """A theme service as the engine sees it. Build it with `Theme.from_spec`.

    Conditions are the SCHEMA.md dicts; treat them as read-only (they are compiled at construction).
    """

    code: str
    title: str
    questions: tuple[Question, ...]
    items: tuple[Item, ...]
    materials: tuple[Material, ...] = ()
    steps: tuple[Step, ...] = ()
    fields: tuple[str, ...] = ()
    field_rules: tuple[FieldRule, ...] = ()
    days: BeforeAfter = BeforeAfter()
    visits: BeforeAfter = BeforeAfter()
    _compiled: _Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", _compile_theme(self))

    def question(self, question_id: str) -> Question | None:
        index = self._compiled.question_index.get(question_id)
        return None if index is None else self.questions[index]

    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return {i.code: i for i in self.items}

    def item(self, code: str) -> Item | None:
        return self._items_by_code.get(code)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], items: Mapping[str, Mapping[str, Any]]) -> Theme:
        """Build a theme from a SCHEMA.md theme dict (as ``yaml.safe_load`` gives it).

        ``items`` is the item registry: code -> dict with at least name, department, promised_days and
        legal_days. Raises `ThemeSpecError` listing every shape fault (wrong types, missing keys,
        duplicate ids, items missing from the registry, malformed conditions). Semantic faults that
        still leave the theme well defined (a condition naming an unknown question, ``in`` on a
        multi-choice question...) are accepted here, evaluate as false, and are reported by `lint`.
        Absent ``days``/``visits`` count as 0, an absent ``copies`` as 1, absent lists as empty.
        """
        return _SpecReader(items).theme(spec)


# --------------------------------------------------------------------------- spec reading


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_BOOL_HINT = "（yes/no/on/off/true/false 会被 YAML 读成真假值，请换用其他编号）"


class _SpecReader:
    """Reads a theme dict, collecting every shape problem instead of stopping at the first."""

    def __init__(self, registry: Mapping[str, Mapping[str, Any]]):
        self.registry = registry
        self.problems: list[Problem] = []

    def fail(self, kind: str, location: object, message: str, code: str = "malformed") -> None:
        self.problems.append(Problem("error", code, message, kind, str(location)))

    def text(self, row: Mapping[str, Any], key: str, kind: str, where: object, *, required: bool = True) -> str | None:
        value = row.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value):
            hint = _BOOL_HINT if isinstance(value, bool) else ""
            self.fail(kind, where, f"“{key}”必须是{'非空' if required else ''}文字{hint}。")
            return None
        return value

    def rows(self, spec: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = spec.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail("theme", spec.get("code"), f"“{key}”必须是列表。")
            return []
        good = [r for r in value if isinstance(r, Mapping)]
        if len(good) != len(value):
            self.fail("theme", spec.get("code"), f"“{key}”的每一项都必须是键值表。")
        return good

    def condition(self, cond: object, kind: str, where: object, depth: int = 0) -> Condition | None:
        """A validated deep copy of a condition, or None after recording a problem."""
        if depth > MAX_CONDITION_DEPTH:
            self.fail(kind, where, f"条件嵌套超过 {MAX_CONDITION_DEPTH} 层。")
            return None
        if not isinstance(cond, Mapping):
            self.fail(kind, where, "条件必须是键值表，例如 {q: 问题编号, in: [选项编号]}。")
            return None
        keys = set(cond)
        if keys in ({"all"}, {"any"}):
            (key,) = keys
            parts = cond[key]
            if not isinstance(parts, list):
                self.fail(kind, where, f"条件中的“{key}”必须是条件列表。")
                return None
            copies = [self.condition(c, kind, where, depth + 1) for c in parts]
            return None if any(c is None for c in copies) else {key: copies}
        if keys == {"not"}:
            inner = self.condition(cond["not"], kind, where, depth + 1)
            return None if inner is None else {"not": inner}
        if keys in ({"q", "in"}, {"q", "has"}) and isinstance(cond["q"], str):
            if "in" in keys:
                options = cond["in"]
                if isinstance(options, list) and options and all(isinstance(o, str) for o in options):
                    return {"q": cond["q"], "in": list(options)}
            elif isinstance(cond["has"], str):
                return {"q": cond["q"], "has": cond["has"]}
            self.fail(kind, where, f"条件 {dict(cond)!r} 的选项必须是文字（in 为非空列表，has 为单个选项）{_BOOL_HINT}。")
            return None
        self.fail(kind, where, f"条件 {dict(cond)!r} 必须是 {{q, in}}、{{q, has}}、{{all}}、{{any}} 或 {{not}} 之一。")
        return None

    def optional_condition(self, row: Mapping[str, Any], key: str, kind: str, where: object) -> Condition | None:
        return None if row.get(key) is None else self.condition(row[key], kind, where)

    def unique(self, ids: list[Any], kind: str, what: str) -> None:
        for value, count in Counter(ids).items():
            if count > 1 and value is not None:
                self.fail(kind, value, f"{what}“{value}”重复出现。", "duplicate")

    def question(self, row: Mapping[str, Any], index: int) -> Question | None:
        qid = self.text(row, "id", "question", f"#{index + 1}")
        where = qid or f"#{index + 1}"
        text = self.text(row, "text", "question", where)
        help_text = self.text(row, "help", "question", where, required=False) or ""
        qtype = row.get("type", "single")
        if qtype not in ("single", "multi"):
            self.fail("question", where, "“type”必须是 single（单选）或 multi（多选）。")
        raw_options = row.get("options")
        if not isinstance(raw_options, list) or not all(isinstance(o, Mapping) for o in raw_options):
            self.fail("question", where, "“options”必须是选项列表。")
            raw_options = []
        options = []
        for o in raw_options:
            oid = self.text(o, "id", "question", where)
            label = self.text(o, "label", "question", where)
            exclusive = o.get("exclusive", False)
            if not isinstance(exclusive, bool):
                self.fail("question", where, "选项的“exclusive”必须是 true 或 false。")
            if oid is not None and label is not None:
                options.append(Option(oid, label, exclusive is True))
        self.unique([o.get("id") for o in raw_options if isinstance(o.get("id"), str)], "question", f"问题“{where}”的选项")
        show_if = self.optional_condition(row, "show_if", "question", where)
        if qid is None or text is None or qtype not in ("single", "multi"):
            return None
        return Question(qid, text, qtype, tuple(options), help_text, show_if)

    def item(self, row: Mapping[str, Any]) -> Item | None:
        code = self.text(row, "item", "item", "?")
        if code is None:
            return None
        when = self.optional_condition(row, "when", "item", code)
        entry = self.registry.get(code)
        if not isinstance(entry, Mapping):
            self.fail("item", code, f"事项“{code}”不在事项目录中。", "unknown_item")
            return None
        name = self.text(entry, "name", "item", code)
        department = self.text(entry, "department", "item", code)
        promised, legal = entry.get("promised_days"), entry.get("legal_days")
        if not (_is_int(promised) and _is_int(legal)):
            self.fail("item", code, "事项目录中的“promised_days”“legal_days”必须是整数。")
            return None
        if name is None or department is None:
            return None
        return Item(code, name, department, promised, legal, when)

    def material(self, row: Mapping[str, Any]) -> Material | None:
        code = self.text(row, "code", "material", "?")
        where = code or "?"
        name = self.text(row, "name", "material", where)
        source = self.text(row, "source", "material", where)
        form = self.text(row, "form", "material", where)
        note = self.text(row, "note", "material", where, required=False)
        copies = row.get("copies", 1)
        if not _is_int(copies) or copies < 1:
            self.fail("material", where, "“copies”必须是正整数。")
        for_items = row.get("for_items")
        if not isinstance(for_items, list) or not all(isinstance(i, str) for i in for_items):
            self.fail("material", where, "“for_items”必须是事项编码列表。")
            for_items = None
        when = self.optional_condition(row, "when", "material", where)
        if None in (code, name, source, form, for_items) or not _is_int(copies) or copies < 1:
            return None
        return Material(code, name, source, form, tuple(for_items), copies, note, when)

    def step(self, row: Mapping[str, Any], index: int) -> Step | None:
        name = self.text(row, "name", "step", index + 1)
        actor = self.text(row, "actor", "step", index + 1)
        days = row.get("days")
        if not _is_int(days) or days < 0:
            self.fail("step", index + 1, "“days”必须是不小于 0 的整数。")
            return None
        return None if name is None or actor is None else Step(name, actor, days)

    def before_after(self, spec: Mapping[str, Any], key: str) -> BeforeAfter:
        value = spec.get(key)
        if value is None:
            return BeforeAfter()
        if isinstance(value, Mapping) and _is_int(value.get("before")) and _is_int(value.get("after")):
            return BeforeAfter(value["before"], value["after"])
        self.fail("theme", spec.get("code"), f"“{key}”必须是 {{before: 整数, after: 整数}}。")
        return BeforeAfter()

    def theme(self, spec: object) -> Theme:
        if not isinstance(spec, Mapping):
            self.fail("theme", "?", "主题必须是键值表。")
            raise ThemeSpecError(self.problems)
        code = self.text(spec, "code", "theme", "?")
        title = self.text(spec, "title", "theme", code or "?", required=False) or ""
        raw_questions = self.rows(spec, "questions")
        questions = [self.question(r, n) for n, r in enumerate(raw_questions)]
        self.unique([r.get("id") for r in raw_questions if isinstance(r.get("id"), str)], "question", "问题编号")
        raw_items = self.rows(spec, "items")
        items = [self.item(r) for r in raw_items]
        self.unique([r.get("item") for r in raw_items if isinstance(r.get("item"), str)], "item", "事项")
        raw_materials = self.rows(spec, "materials")
        materials = [self.material(r) for r in raw_materials]
        self.unique([r.get("code") for r in raw_materials if isinstance(r.get("code"), str)], "material", "材料")
        steps = [self.step(r, n) for n, r in enumerate(self.rows(spec, "steps"))]
        fields = [] if spec.get("fields") is None else spec["fields"]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            self.fail("theme", code or "?", "“fields”必须是字段编码列表。")
            fields = []
        self.unique(fields, "field", "字段")
        rules = []
        for r in self.rows(spec, "field_rules"):
            name = self.text(r, "field", "field", "?")
            when = self.optional_condition(r, "when", "field", name or "?")
            rules.append(None if name is None else FieldRule(name, when))
        days, visits = self.before_after(spec, "days"), self.before_after(spec, "visits")
        if self.problems:
            raise ThemeSpecError(self.problems)
        return Theme(code, title, tuple(questions), tuple(items), tuple(materials), tuple(steps),
                     tuple(fields), tuple(rules), days, visits)


# --------------------------------------------------------------------------- compiling conditions


def _always(_answers: Mapping[str, AnswerValue]) -> bool:
    return True


def _never(_answers: Mapping[str, AnswerValue]) -> bool:
    return False


def _compile(cond: Condition | None, kinds: Mapping[str, str]) -> Predicate:
    """A closure over valid answers (only shown questions, well-typed values).

    ``kinds`` maps question ids to "single"/"multi". An ``in`` on a multi-choice question, a ``has``
    on a single-choice one, or a leaf naming an unknown question never holds (lint reports them).
    """
    if cond is None:
        return _always
    if "all" in cond or "any" in cond:
        combine = all if "all" in cond else any
        parts = tuple(_compile(c, kinds) for c in cond.get("all", cond.get("any")))
        if len(parts) <= 1:
            return parts[0] if parts else _always if combine is all else _never
        return lambda answers: combine(p(answers) for p in parts)
    if "not" in cond:
        inner = _compile(cond["not"], kinds)
        return lambda answers: not inner(answers)
    qid = cond["q"]
    if "in" in cond:
        if kinds.get(qid) != "single":
            return _never
        options = frozenset(cond["in"])
        return lambda answers: answers.get(qid) in options
    if kinds.get(qid) != "multi":
        return _never
    option = cond["has"]
    return lambda answers: option in answers.get(qid, ())


def condition_refs(cond: Condition | None) -> frozenset[str]:
    """The question ids a condition reads."""
    if cond is None:
        return frozenset()
    if "all" in cond or "any" in cond:
        return frozenset().union(*(condition_refs(c) for c in cond.get("all", cond.get("any"))))
    if "not" in cond:
        return condition_refs(cond["not"])
    return frozenset({cond["q"]})


def _choice_count(question: Question) -> int:
    if not question.multi:
        return len(question.options)
    exclusive = sum(o.exclusive for o in question.options)
    return 2 ** (len(question.options) - exclusive) - 1 + exclusive


def _choices(question: Question) -> tuple[AnswerValue, ...]:
    """Every valid answer: an option, or a non-empty subset with an exclusive option only alone."""
    ids = question.option_ids
    if not question.multi:
        return ids
    exclusive = {o.id for o in question.options if o.exclusive}
    return tuple(
        frozenset(combo)
        for size in range(1, len(ids) + 1)
        for combo in itertools.combinations(ids, size)
        if size == 1 or not exclusive.intersection(combo)
    )


def _compile_theme(theme: Theme) -> _Compiled:
    kinds = {q.id: q.type for q in theme.questions}
    rules: dict[str, list[Condition]] = {}
    for rule in theme.field_rules:
        if rule.when is not None:
            rules.setdefault(rule.field, []).append(rule.when)
    return _Compiled(
        question_index=MappingProxyType({q.id: n for n, q in enumerate(theme.questions)}),
        show_if=tuple(_compile(q.show_if, kinds) for q in theme.questions),
        show_if_refs=tuple(condition_refs(q.show_if) for q in theme.questions),
        item_when=tuple(_compile(i.when, kinds) for i in theme.items),
        material_when=tuple(_compile(m.when, kinds) for m in theme.materials),
        material_for=tuple(frozenset(m.for_items) for m in theme.materials),
        # Several rules for one field must all hold (lint flags the duplication anyway).
        field_when=tuple(_compile({"all": rules.get(f, [])}, kinds) for f in theme.fields),
    )


# --------------------------------------------------------------------------- answers


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (makemessages' keyword) without importing Django."""
    return message


# The visitor's error messages by code, in Chinese (the source language; the msgids of the site's catalogue).
# Placeholders: {text} the question, {value} the rejected value, {label} the exclusive option. The engine stays
# free of Django: a web layer passes its gettext to AnswerError.render for another language.
ANSWER_MESSAGES: dict[str, str] = {
    "unknown_option": gettext_noop("“{text}”没有“{value}”这个选项，请重新选择。"),
    "hidden_question": gettext_noop("根据您前面的回答，不需要回答“{text}”，请重新确认您的选择。"),
    "multiple_values_for_single": gettext_noop("“{text}”只能选择一项，请重新选择。"),
    "exclusive_combined": gettext_noop("“{text}”中的“{label}”只能单独选择，不能和其他选项一起选，请重新选择。"),
    "empty_multi": gettext_noop("“{text}”至少要选择一项。"),
    "empty": gettext_noop("请回答“{text}”。"),
    "unknown_question": gettext_noop("您的回答中有本事项不包含的问题，请从头重新填写。"),
}


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class AnswerError:
    """An invalid answer. ``message`` is plain Chinese for the visitor; `render` gives it in another language."""

    question: str
    value: str
    code: ErrorCode
    message: str
    # (message key, placeholders) that produced ``message``, so a caller can render it in another language.
    template: tuple[str, tuple[tuple[str, str], ...]] = field(default=("", ()), compare=False, repr=False)

    def render(self, translate: Callable[[str], str] = _identity) -> str:
        """The message through ``translate`` (e.g. Django's gettext): translated template, then placeholders."""
        key, params = self.template
        if not key:
            return self.message
        return translate(ANSWER_MESSAGES[key]).format(**dict(params))

    def as_dict(self, translate: Callable[[str], str] | None = None) -> dict[str, str]:
        message = self.message if translate is None else self.render(translate)
        return {"question": self.question, "value": self.value, "code": self.code, "message": message}


def _shorten(value: str, limit: int = 20) -> str:
    # The value may come from a hand-edited URL: keep messages readable.
    return value if len(value) <= limit else value[:limit] + "…"


def _answer_error(question_id: str, raw_value: str, code: ErrorCode, key: str, **params: str) -> AnswerError:
    frozen = tuple(sorted(params.items()))
    return AnswerError(question_id, raw_value, code, ANSWER_MESSAGES[key].format(**params), (key, frozen))


def _error(question: Question, code: ErrorCode, value: str, label: str = "") -> AnswerError:
    key = "empty_multi" if code == "empty" and question.multi else code
    return _answer_error(question.id, value, code, key, text=question.text, value=_shorten(value), label=label)


def _display(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, Collection):
        return ",".join(sorted(map(str, raw)) if isinstance(raw, (set, frozenset)) else map(str, raw))
    return str(raw)


def _normalise(question: Question, raw: object) -> tuple[AnswerValue | None, AnswerError | None]:
    """Check one shown question's raw answer: (value, None) or (None, error).

    Accepts a string or a collection of strings (what a query string gives). Empty strings are
    dropped first because that is what a blank form control sends.
    """
    if isinstance(raw, str):
        values: list[Any] = [raw]
    elif isinstance(raw, (set, frozenset)):
        values = sorted(raw, key=str)  # a set has no order; sort so the same error is always reported
    elif isinstance(raw, Collection) and not isinstance(raw, Mapping):
        values = list(dict.fromkeys(raw))
    else:
        values = [raw]
    values = [v for v in values if v != ""]
    if not values:
        return None, _error(question, "empty", "")
    if not question.multi and len(values) > 1:
        return None, _error(question, "multiple_values_for_single", ",".join(map(str, values)))
    for v in values:
        if not isinstance(v, str) or question.option(v) is None:
            return None, _error(question, "unknown_option", str(v))
    if not question.multi:
        return values[0], None
    chosen = frozenset(values)
    if len(chosen) > 1:
        for o in question.options:
            if o.exclusive and o.id in chosen:
                return None, _error(question, "exclusive_combined", o.id, o.label)
    return chosen, None


def _check(theme: Theme, raw: Mapping[str, object]) -> tuple[Answers, tuple[Question, ...], list[AnswerError]]:
    """Valid answers, shown questions and errors, walking the questions in order.

    A question is shown when its show_if holds for the valid answers to the questions before it.
    An answer to a hidden question is an error, except when the question is hidden only because an
    answer it depends on was itself invalid: then only that root cause is reported.
    """
    compiled = theme._compiled
    valid: Answers = {}
    shown = []
    errors = []
    unresolved: set[str] = set()
    for n, question in enumerate(theme.questions):
        visible = compiled.show_if[n](valid)
        if visible:
            shown.append(question)
        if question.id not in raw:
            continue
        if not visible:
            if compiled.show_if_refs[n] & unresolved:
                unresolved.add(question.id)
            else:
                errors.append(_error(question, "hidden_question", _display(raw[question.id])))
            continue
        value, error = _normalise(question, raw[question.id])
        if error is None:
            valid[question.id] = value
        else:
            errors.append(error)
            unresolved.add(question.id)
    return valid, tuple(shown), errors


def parse_answers(theme: Theme, params: Mapping[str, list[str]]) -> tuple[Answers, list[AnswerError]]:
    """Answers from a query-string multidict (``request.GET``-like: key -> list of values).

    A multi-choice answer repeats its parameter (``?food_kind=bulk&food_kind=prepacked``).
    Parameters that are not question ids are ignored, so the web layer may add its own (``lang``,
    ``page``...). Returns the valid answers (what `prune` would keep) and the errors, in question
    order, at most one per question. Use `evaluate_params` to get an outcome that honours the errors.
    """
    raw = {}
    # Django's QueryDict.get() returns one value; getlist() returns them all.
    getter = getattr(params, "getlist", None)
    for question in theme.questions:
        values = getter(question.id) if getter is not None else params.get(question.id)
        if isinstance(values, str):
            values = [values]
        if values:
            raw[question.id] = tuple(dict.fromkeys(values))
    valid, _shown, errors = _check(theme, raw)
    return valid, errors


def prune(theme: Theme, answers: Mapping[str, object]) -> Answers:
    """Keep only the valid answers to shown questions, in question order.

    Used after an earlier answer changes (the wizard's "change" link): later answers that are still
    valid are kept; answers to questions no longer shown, invalid values and unknown questions are
    dropped. Because show_if only reads earlier questions, one pass in question order reaches the
    fixed point of dropping hidden answers repeatedly.
    """
    return _check(theme, answers)[0]


def to_query(theme: Theme, answers: Mapping[str, AnswerValue]) -> list[tuple[str, str]]:
    """Query-string pairs for ``answers``, the inverse of `parse_answers`, for shareable URLs.

    Stable order: questions in theme order, multi-choice options in option order (unknown values,
    which only unpruned answers have, after them). Keys that are not question ids are left out.
    """
    pairs = []
    for question in theme.questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if isinstance(value, str):
            pairs.append((question.id, value))
            continue
        known = [o for o in question.option_ids if o in value]
        pairs.extend((question.id, v) for v in known + sorted(set(value) - set(known)))
    return pairs


# --------------------------------------------------------------------------- outcome


class MaterialUse(NamedTuple):
    """A listed material and the applying items it serves (in theme order)."""

    material: Material
    items: tuple[str, ...]


@dataclass(frozen=True)
class _Selection:
    items: tuple[Item, ...] = ()
    materials: tuple[MaterialUse, ...] = ()
    fields: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    departments: tuple[str, ...] = ()


def _select(theme: Theme, valid: Mapping[str, AnswerValue]) -> _Selection:
    """The checklist complete, valid answers select (SCHEMA.md rules 1-4)."""
    compiled = theme._compiled
    items = tuple(i for i, when in zip(theme.items, compiled.item_when, strict=True) if when(valid))
    codes = tuple(i.code for i in items)
    materials = []
    for material, when, serves in zip(theme.materials, compiled.material_when, compiled.material_for, strict=True):
        served = tuple(c for c in codes if c in serves)
        if served and when(valid):
            materials.append(MaterialUse(material, served))
    fields = tuple(f for f, when in zip(theme.fields, compiled.field_when, strict=True) if when(valid)) if items else ()
    departments = tuple(dict.fromkeys(i.department for i in items))
    steps = tuple(s for s in theme.steps if s.department is None or s.department in departments)
    return _Selection(items, tuple(materials), fields, steps, departments)


@dataclass(frozen=True)
class Outcome:
    """What the visitor sees for a set of answers.

    ``shown`` are the questions to show, in order; ``next_question`` is the first shown question
    without a valid answer. The selection (``items`` ... ``departments``) is filled only when
    ``complete``: every shown question validly answered and no error. Invalid answers never produce
    a checklist.

    ``days`` (working days):
      * ``before``: the theme's total when its items were handled separately (catalogue figure);
      * ``after``: the theme's promised total for the integrated service (catalogue figure);
      * ``steps``: the sum of the listed steps' days, i.e. the integrated process for this situation;
      * ``items_promised_max``: the longest promised time (承诺时限) among the applying items, the
        least a parallel approval can take;
      * ``items_legal_sum``: the sum of the applying items' legal time limits (法定时限), the worst case
        when handled one after another.
    ``visits`` (跑动次数): ``before``/``after`` from the theme. Selection-dependent figures are 0 while
    the outcome is not complete.
    """

    theme: Theme = field(repr=False)
    answers: Mapping[str, AnswerValue]
    shown: tuple[Question, ...]
    next_question: Question | None
    errors: tuple[AnswerError, ...]
    items: tuple[str, ...]
    materials: tuple[MaterialUse, ...]
    fields: tuple[str, ...]
    steps: tuple[Step, ...]
    departments: tuple[str, ...]
    days: Mapping[str, int]
    visits: Mapping[str, int]

    @property
    def complete(self) -> bool:
        return not self.errors and self.next_question is None

    @property
    def applies(self) -> bool:
        """False only when the answers are complete and select no item (the theme is not for you)."""
        return not self.complete or bool(self.items)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the outcome (plain lists, dicts, strings, ints, bools and None)."""
        return {
            "theme": self.theme.code,
            "complete": self.complete,
            "next_question": None if self.next_question is None else self.next_question.id,
            "applies": self.applies,
            "items": list(self.items),
            "departments": list(self.departments),
            "materials": [
                {"code": m.code, "name": m.name, "source": m.source, "form": m.form, "copies": m.copies,
                 "note": m.note, "items": list(served)}
                for m, served in self.materials
            ],
            "fields": list(self.fields),
            "steps": [{"name": s.name, "actor": s.actor, "days": s.days} for s in self.steps],
            "days": dict(self.days),
            "visits": dict(self.visits),
            "errors": [e.as_dict() for e in self.errors],
        }


def _outcome(theme: Theme, valid: Answers, shown: tuple[Question, ...], errors: list[AnswerError]) -> Outcome:
    next_question = next((q for q in shown if q.id not in valid), None)
    selection = _select(theme, valid) if not errors and next_question is None else _Selection()
    days = {
        "before": theme.days.before,
        "after": theme.days.after,
        "steps": sum(s.days for s in selection.steps),
        "items_promised_max": max((i.promised_days for i in selection.items), default=0),
        "items_legal_sum": sum(i.legal_days for i in selection.items),
    }
    return Outcome(
        theme=theme,
        answers=MappingProxyType(valid),
        shown=shown,
        next_question=next_question,
        errors=tuple(errors),
        items=tuple(i.code for i in selection.items),
        materials=selection.materials,
        fields=selection.fields,
        steps=selection.steps,
        departments=selection.departments,
        days=MappingProxyType(days),
        visits=MappingProxyType({"before": theme.visits.before, "after": theme.visits.after}),
    )


def evaluate(theme: Theme, answers: Mapping[str, object]) -> Outcome:
    """The outcome of ``answers`` (question id -> option id, or frozenset of option ids).

    Errors come in question order, at most one per question, then one "unknown_question" error per
    key that is not a question of the theme (sorted). Use `prune` first to drop stale answers silently.
    """
    valid, shown, errors = _check(theme, answers)
    known = theme._compiled.question_index
    for key in sorted(str(k) for k in answers if k not in known):
        errors.append(_answer_error(key, key, "unknown_question", "unknown_question"))
    return _outcome(theme, valid, shown, errors)


def evaluate_params(theme: Theme, params: Mapping[str, list[str]]) -> Outcome:
    """`parse_answers` then `evaluate`: the outcome carries the parse errors (so no checklist)."""
    answers, errors = parse_answers(theme, params)
    valid, shown, _ = _check(theme, answers)
    return _outcome(theme, valid, shown, errors)


# --------------------------------------------------------------------------- answer paths


def answer_paths(theme: Theme, limit: int = MAX_ANSWER_PATHS) -> Iterator[Answers]:
    """Every complete answer set, depth first: questions in order, options in option order.

    A shown question takes each of its valid answers (multi-choice: every non-empty subset, in
    size then option order, an exclusive option only alone); a hidden one is skipped. Each yielded
    dict is fresh and in question order. Raises `TooManyAnswerPaths` before yielding path
    ``limit + 1``, or at once for a multi-choice question with more answers than that.
    """
    compiled = theme._compiled
    questions = theme.questions
    if any(_choice_count(q) > limit for q in questions):
        raise TooManyAnswerPaths(theme.code, limit)
    choices = [_choices(q) for q in questions]
    count = 0
    stack: list[tuple[int, Answers]] = [(0, {})]
    while stack:
        index, answers = stack.pop()
        while index < len(questions) and not compiled.show_if[index](answers):
            index += 1
        if index == len(questions):
            count += 1
            if count > limit:
                raise TooManyAnswerPaths(theme.code, limit)
            yield answers
            continue
        qid = questions[index].id
        # Reversed so that the stack pops the first option first.
        stack.extend((index + 1, {**answers, qid: value}) for value in reversed(choices[index]))


# --------------------------------------------------------------------------- lint


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


# --------------------------------------------------------------------------- situation tree


@dataclass(frozen=True)
class SituationBranch:
    """One branch of a split: applies when ``when`` (a SCHEMA.md condition) holds."""

    when: Condition
    node: SituationNode

    def as_dict(self) -> dict[str, Any]:
        return {"when": copy.deepcopy(self.when), "node": self.node.as_dict()}


@dataclass(frozen=True)
class SituationSplit:
    """Answers to ``question`` that matter.

    For a multi-choice question the split is on whether ``option`` is chosen, or, when ``option`` is
    None, on whether the question is asked at all.
    """

    question: str
    option: str | None
    branches: tuple[SituationBranch, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "option": self.option, "branches": [b.as_dict() for b in self.branches]}


@dataclass(frozen=True)
class SituationNode:
    """A node of `situation_tree`.

    ``items`` apply on every answer path through this node and were not listed higher up.
    ``splits`` are independent: for each, at most one branch holds for a given set of answers and its
    node adds its items (and its own splits). ``undecided`` is non-empty only where the size limits
    cut the tree: items that apply on some but not all paths below.
    """

    items: tuple[str, ...] = ()
    splits: tuple[SituationSplit, ...] = ()
    undecided: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"items": list(self.items), "splits": [s.as_dict() for s in self.splits],
                "undecided": list(self.undecided)}


Splitter = tuple[int, str | None]


class _TreeBuilder:
    """Builds the situation tree from {path key: item bitmask}; a key holds one value per question.

    A *splitter* is a single-choice question (grouping paths by its answer, None when hidden), a
    (multi-choice question, option) pair (grouping by whether the option is chosen), or a
    (multi-choice question, None) pair (grouping by whether the question is asked at all). A splitter is
    *separable* when the items that are constant within each of its groups (its own items) account
    for all its effect: once they are set aside, paths that differ only in this splitter select the
    same items. A separable splitter without own items changes nothing and is dropped (collapse); one
    with own items becomes a flat split; when none is separable, the first splitter that divides the
    paths nests subtrees. Stripping a splitter from the keys (forgetting the answer, or the option)
    merges paths, so every step keeps, for each real path, the items it selects: the tree is exact.
    """

    def __init__(self, theme: Theme, max_depth: int, max_nodes: int):
        self.theme = theme
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.splitters: list[Splitter] = [(n, o) for n, q in enumerate(theme.questions)
                                          for o in ((None, *q.option_ids) if q.multi else (None,))]

    def codes(self, mask: int) -> tuple[str, ...]:
        return tuple(i.code for n, i in enumerate(self.theme.items) if mask >> n & 1)

    def group_of(self, splitter: Splitter, key: tuple) -> object:
        index, option = splitter
        value = key[index]
        if option is not None:
            return value is not None and option in value
        return value is not None if self.theme.questions[index].multi else value

    def strip(self, splitter: Splitter, key: tuple, nested: bool = False) -> tuple:
        """Forget what the splitter tells about a path: the single answer, or the option.

        For whether a multi-choice question is asked: nothing inside a nested branch (its paths agree
        on it anyway); otherwise the answer, which `separate` allows only once it is empty.
        """
        index, option = splitter
        value = key[index]
        if value is None or (nested and option is None and self.theme.questions[index].multi):
            return key
        value = None if option is None else value - {option}
        return key[:index] + (value,) + key[index + 1:]

    def groups(self, paths: dict[tuple, int], splitter: Splitter) -> dict[object, dict[tuple, int]]:
        groups: dict[object, dict[tuple, int]] = {}
        for key, mask in paths.items():
            groups.setdefault(self.group_of(splitter, key), {})[key] = mask
        return groups

    def separate(self, paths: dict[tuple, int], splitter: Splitter) -> tuple[dict[object, int], dict[tuple, int]] | None:
        """({group: own items mask}, stripped remaining paths) when the splitter is separable."""
        groups = self.groups(paths, splitter)
        index, option = splitter
        if len(groups) < 2 or (option is None and self.theme.questions[index].multi and any(k[index] for k in paths)):
            # Whether a multi-choice question is asked can be set aside only once its options are.
            return None
        constant = ~0
        for rows in groups.values():
            union, intersection = 0, ~0
            for mask in rows.values():
                union |= mask
                intersection &= mask
            constant &= ~(union ^ intersection)
        own = {g: next(iter(rows.values())) & constant for g, rows in groups.items()}
        remainder: dict[tuple, int] = {}
        for key, mask in paths.items():
            rest = mask & ~constant
            if remainder.setdefault(self.strip(splitter, key), rest) != rest:
                return None
        return own, remainder

    def condition(self, splitter: Splitter, values: list[object]) -> Condition:
        index, option = splitter
        question = self.theme.questions[index]
        if question.multi:
            test = {"q": question.id, "has": option} if option else {"any": [{"q": question.id, "has": o}
                                                                              for o in question.option_ids]}
            return test if values == [True] else {"not": test}
        if None not in values:
            return {"q": question.id, "in": [o for o in question.option_ids if o in values]}
        return {"not": {"q": question.id, "in": [o for o in question.option_ids if o not in values]}}

    def split(self, splitter: Splitter, nodes: dict[object, SituationNode]) -> SituationSplit | SituationNode:
        """A split with branches in option order, values with equal nodes sharing a branch.

        When every value leads to the same node the split says nothing: that node is returned.
        """
        index, option = splitter
        question = self.theme.questions[index]
        order = [True, False] if question.multi else [*question.option_ids, None]
        merged: list[tuple[SituationNode, list[object]]] = []
        for value in (v for v in order if v in nodes):
            same = next((values for node, values in merged if node == nodes[value]), None)
            if same is None:
                merged.append((nodes[value], [value]))
            else:
                same.append(value)
        if len(merged) == 1:
            return merged[0][0]
        branches = tuple(SituationBranch(self.condition(splitter, values), node) for node, values in merged)
        return SituationSplit(question.id, option, branches)

    def build(self, paths: dict[tuple, int], depth: int) -> SituationNode:
        self.nodes_left -= 1
        common = ~0
        for mask in paths.values():
            common &= mask
        paths = {key: mask & ~common for key, mask in paths.items()}
        node = SituationNode(self.codes(common) if paths else ())
        while any(paths.values()):
            for splitter in self.splitters:
                separated = self.separate(paths, splitter)
                if separated is not None:
                    own, paths = separated
                    if any(own.values()):
                        leaves = {g: SituationNode(self.codes(mask)) for g, mask in own.items()}
                        node = _extend(node, self.split(splitter, leaves), drop_empty=True)
                    break
            else:
                return _extend(node, self.nested(paths, depth))
        return node

    def nested(self, paths: dict[tuple, int], depth: int) -> SituationSplit | SituationNode:
        union = 0
        for mask in paths.values():
            union |= mask
        if depth >= self.max_depth or self.nodes_left <= 0:
            return SituationNode(undecided=self.codes(union))
        # No splitter is separable here, so the first one that divides the paths nests.
        for splitter in self.splitters:
            groups = self.groups(paths, splitter)
            if len(groups) > 1:
                nodes = {g: self.build({self.strip(splitter, k, nested=True): m for k, m in rows.items()}, depth + 1)
                         for g, rows in groups.items()}
                return self.split(splitter, nodes)
        raise AssertionError("paths select different items but no answer divides them")


def _extend(node: SituationNode, part: SituationSplit | SituationNode, drop_empty: bool = False) -> SituationNode:
    """``node`` with a split appended, or with a node that stands for a pointless split merged in."""
    if isinstance(part, SituationSplit):
        if drop_empty:
            # A flat split lists only the answers that add items.
            part = SituationSplit(part.question, part.option, tuple(b for b in part.branches if b.node.items))
        return SituationNode(node.items, (*node.splits, part), node.undecided)
    return SituationNode(node.items + part.items, node.splits + part.splits, node.undecided + part.undecided)


def situation_tree(theme: Theme, *, max_depth: int = 6, max_nodes: int = 300,
                   path_limit: int = MAX_ANSWER_PATHS) -> SituationNode:
    """Which answers lead to which items, as a bounded tree for the admin's picture of a theme.

    The root lists the items that always apply. Questions (or, for multi-choice questions, single
    options) whose answer never changes the items are left out; those whose effect is independent of
    the rest become flat splits listing what each answer adds; only interacting questions nest. Below
    ``max_depth`` nested levels, or once about ``max_nodes`` nodes are built, a node lists its
    ``undecided`` items instead of splitting further. Raises `TooManyAnswerPaths` like `answer_paths`.
    """
    qids = [q.id for q in theme.questions]
    paths: dict[tuple, int] = {}
    for path in answer_paths(theme, path_limit):
        selection = _select(theme, path)
        chosen = {i.code for i in selection.items}
        paths[tuple(path.get(q) for q in qids)] = sum(1 << n for n, i in enumerate(theme.items) if i.code in chosen)
    return _TreeBuilder(theme, max_depth, max_nodes).build(paths, 0)
