"""Screening engine: which items, materials, fields and steps a visitor's answers select.

This package implements SCHEMA.md, section "What a visitor's answers select", once, for the wizard,
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

Modules: `model` (the theme, read from its spec, conditions compiled), `answers` (checking and writing
answers), `evaluation` (the outcome, answer paths), `lint` (editors' checks), `tree` (the situation tree).
"""

from .answers import (
    ANSWER_MESSAGES,
    AnswerError,
    gettext_noop,
    parse_answers,
    prune,
    to_query,
)
from .evaluation import (
    MaterialUse,
    Outcome,
    answer_paths,
    evaluate,
    evaluate_params,
)
from .lint import (
    lint,
    lint_spec,
)
from .model import (
    FIXED_ACTORS,
    MAX_ANSWER_PATHS,
    MAX_CONDITION_DEPTH,
    Answers,
    AnswerValue,
    BeforeAfter,
    Condition,
    ErrorCode,
    FieldRule,
    Item,
    Material,
    Option,
    Predicate,
    Problem,
    Question,
    Step,
    Theme,
    ThemeSpecError,
    TooManyAnswerPaths,
    condition_refs,
)
from .tree import (
    SituationBranch,
    SituationNode,
    SituationSplit,
    Splitter,
    situation_tree,
)

__all__ = [
    "FIXED_ACTORS",
    "MAX_ANSWER_PATHS",
    "MAX_CONDITION_DEPTH",
    "AnswerValue",
    "Answers",
    "BeforeAfter",
    "Condition",
    "ErrorCode",
    "FieldRule",
    "Item",
    "Material",
    "Option",
    "Predicate",
    "Problem",
    "Question",
    "Step",
    "Theme",
    "ThemeSpecError",
    "TooManyAnswerPaths",
    "condition_refs",
    "ANSWER_MESSAGES",
    "AnswerError",
    "gettext_noop",
    "parse_answers",
    "prune",
    "to_query",
    "MaterialUse",
    "Outcome",
    "answer_paths",
    "evaluate",
    "evaluate_params",
    "lint",
    "lint_spec",
    "SituationBranch",
    "SituationNode",
    "SituationSplit",
    "Splitter",
    "situation_tree",
]
