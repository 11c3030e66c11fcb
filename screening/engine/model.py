"""The engine's model of a theme: its parts, the spec reader that builds it, its compiled conditions."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Literal

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
