"""A visitor's answers: checked against the questions shown, pruned, and written back as a query string."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Answers, AnswerValue, ErrorCode, Question, Theme


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
