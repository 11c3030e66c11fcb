"""The situation tree: the theme's questions as nested splits of what changes, for the guide page."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .evaluation import _select, answer_paths
from .model import MAX_ANSWER_PATHS, Condition, Theme


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
