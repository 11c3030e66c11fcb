"""What a set of answers selects (the outcome), and every path of answers through a theme."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from .answers import AnswerError, _answer_error, _check, parse_answers
from .model import (
    MAX_ANSWER_PATHS,
    Answers,
    AnswerValue,
    Item,
    Material,
    Question,
    Step,
    Theme,
    TooManyAnswerPaths,
    _choice_count,
    _choices,
)


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
