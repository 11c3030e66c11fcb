"""Editor checks in the Wagtail admin: the engine's lint warnings and the situation tree (情形树) of a theme."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail.models import Page

from .engine import (
    Problem,
    SituationNode,
    SituationSplit,
    Theme,
    ThemeSpecError,
    TooManyAnswerPaths,
    answer_paths,
    evaluate,
    lint,
    situation_tree,
)

#: More warnings than this in one message list would bury the page; the tree view lists them all.
MAX_WARNING_MESSAGES = 8


def _theme_of(page) -> Theme:
    """The engine's theme for a ThemePage (a draft or a saved one); raises ThemeSpecError."""
    from guides.spec import Lookups, page_to_spec

    lookups = Lookups.for_pages([page])
    return Theme.from_spec(page_to_spec(page, lookups), lookups.item_registry())


def theme_warnings(page) -> list[Problem]:
    """Lint warnings (not errors: those already block saving) of a theme page; [] when it cannot be built."""
    try:
        theme = _theme_of(page)
    except ThemeSpecError:
        return []
    return [p for p in lint(theme) if p.level == "warning"]


def warning_messages(page) -> list[str]:
    problems = theme_warnings(page)
    texts = [f"情形检查提示：{p.message}" for p in problems[:MAX_WARNING_MESSAGES]]
    if len(problems) > MAX_WARNING_MESSAGES:
        texts.append(f"另有 {len(problems) - MAX_WARNING_MESSAGES} 条提示，请在“情形树”中查看全部。")
    return texts


def tree_url(page) -> str:
    return reverse("screening_situation_tree", args=[page.pk])


# --------------------------------------------------------------------------- the tree as display data


@dataclass
class BranchView:
    label: str
    node: NodeView


@dataclass
class SplitView:
    label: str
    branches: list[BranchView]


@dataclass
class NodeView:
    items: list[str] = field(default_factory=list)
    splits: list[SplitView] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.items or self.splits or self.undecided)


def _item_label(theme: Theme, code: str) -> str:
    item = theme.item(code)
    return f"{item.name}（{code}）" if item else code


def _option_label(question, option_id: str) -> str:
    option = question.option(option_id)
    return option.label if option else option_id


def _branch_label(theme: Theme, split: SituationSplit, when: dict) -> str:
    question = theme.question(split.question)
    negated = "not" in when
    if question.multi:
        if split.option is None:
            return "未问到此问题" if negated else "问到此问题（任意回答）"
        return "未选择此项" if negated else "选择此项"
    inner = when["not"] if negated else when
    labels = "”或“".join(_option_label(question, o) for o in inner["in"])
    return f"回答不是“{labels}”（含未问到）" if negated else f"回答“{labels}”"


def _split_label(theme: Theme, split: SituationSplit) -> str:
    question = theme.question(split.question)
    if question.multi and split.option is not None:
        return f"问题“{question.text}”中的选项“{_option_label(question, split.option)}”"
    if question.multi:
        return f"是否问到问题“{question.text}”"
    return f"问题“{question.text}”"


def node_view(theme: Theme, node: SituationNode) -> NodeView:
    return NodeView(
        items=[_item_label(theme, c) for c in node.items],
        splits=[SplitView(_split_label(theme, s),
                          [BranchView(_branch_label(theme, s, b.when), node_view(theme, b.node)) for b in s.branches])
                for s in node.splits],
        undecided=[_item_label(theme, c) for c in node.undecided],
    )


def situation_tree_view(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    from guides.models import ThemePage

    if not isinstance(page, ThemePage):
        raise PermissionDenied
    # Only those who may edit the theme see its draft's structure.
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    source = page.alias_of.specific if page.alias_of_id else page
    draft = source.get_latest_revision_as_object() if source.has_unpublished_changes else source
    context = {"page": page, "source": source, "is_draft": draft is not source, "page_title": "情形树",
               "page_subtitle": draft.title, "header_icon": "sitemap", "edit_url": reverse("wagtailadmin_pages:edit",
                                                                                        args=[source.pk])}
    try:
        theme = _theme_of(draft)
        root = situation_tree(theme)
        outcomes = [evaluate(theme, p) for p in answer_paths(theme)]
    except ThemeSpecError as exc:
        context["errors"] = [p.message for p in exc.problems]
        return TemplateResponse(request, "screening/admin/situation_tree.html", context)
    except TooManyAnswerPaths as exc:
        context["errors"] = [f"情形组合超过 {exc.limit} 种，无法画出情形树。"]
        return TemplateResponse(request, "screening/admin/situation_tree.html", context)
    context.update(
        theme=theme,
        tree=node_view(theme, root),
        path_count=len(outcomes),
        not_applicable=sum(1 for o in outcomes if not o.items),
        questions=theme.questions,
        problems=lint(theme),
    )
    return TemplateResponse(request, "screening/admin/situation_tree.html", context)
