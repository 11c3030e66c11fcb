"""StreamField blocks of a theme guide: bundled items, 情形 questions, materials, steps, form fields.

Conditions are structured blocks (a group of terms, each a clause or a nested group), never free text.
`guides.conditions` converts them to and from the catalogue's dict form.
"""

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from .constants import FORM_CHOICES, SOURCE_CHOICES

MATCH_CHOICES = [("all", "全部满足"), ("any", "满足其一")]
ID_ERRORS = {"invalid": "编号只能用小写字母、数字和下划线，以字母开头。"}


class CodeBlock(blocks.RegexBlock):
    """An identifier (question, option or item code). Not a text block, so translation keeps it as it is."""

    def __init__(self, regex=r"^[a-z][a-z0-9_]*$", **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("error_messages", ID_ERRORS)
        super().__init__(regex=regex, **kwargs)
        if kwargs.get("label"):
            # A ListBlock shows its children without their labels: the input still needs an accessible name.
            self.field.widget.attrs.setdefault("aria-label", str(kwargs["label"]))

    def get_translatable_segments(self, value):
        return []


class RegistryChooserBlock(SnippetChooserBlock):
    """A registry row (item, material, form field). Not overridable in a translation: it decides the checklist."""

    def get_translatable_segments(self, value):
        return []


OPERATOR_CHOICES = [("in", "单选题的答案是其中之一"), ("has", "多选题的答案包含")]


class ClauseBlock(blocks.StructBlock):
    """One test on one earlier answer: `in` for single-choice questions, `has` for multi-choice."""

    question = CodeBlock(label="问题编号")
    operator = blocks.ChoiceBlock(choices=OPERATOR_CHOICES, default="in", label="判断方式")
    options = blocks.ListBlock(CodeBlock(label="选项编号"), label="选项编号", min_num=1,
                               help_text="“包含”只能填一个选项。")
    negate = blocks.BooleanBlock(required=False, label="取反（不满足时成立）")

    class Meta:
        icon = "tick"
        label = "条件"
        form_classname = "struct-block condition-clause"


class SubConditionBlock(blocks.StructBlock):
    """A nested group of clauses, e.g. “经营散装食品 或 现场制售”."""

    match = blocks.ChoiceBlock(choices=MATCH_CHOICES, default="all", label="组合方式")
    negate = blocks.BooleanBlock(required=False, label="取反")
    terms = blocks.StreamBlock([("clause", ClauseBlock())], min_num=1, label="条件")

    class Meta:
        icon = "list-ul"
        label = "条件组"


class ConditionTermsBlock(blocks.StreamBlock):
    clause = ClauseBlock()
    group = SubConditionBlock()

    class Meta:
        required = False


class ConditionBlock(blocks.StructBlock):
    """When something applies. No terms means “always”."""

    match = blocks.ChoiceBlock(choices=MATCH_CHOICES, default="all", label="组合方式")
    negate = blocks.BooleanBlock(required=False, label="取反")
    terms = ConditionTermsBlock(label="条件（留空表示始终适用）")

    class Meta:
        icon = "help"
        label = "适用条件"
        collapsed = True


class ThemeItemBlock(blocks.StructBlock):
    """A government service item (事项) bundled into the theme, with the situations that need it."""

    item = RegistryChooserBlock("guides.ServiceItem", label="事项")
    when = ConditionBlock(label="适用条件")

    class Meta:
        icon = "doc-full"
        label = "事项"
        template = "blocks/theme_item_block.html"


class OptionBlock(blocks.StructBlock):
    """An answer option of a 情形 question."""

    id = CodeBlock(label="选项编号")
    label = blocks.CharBlock(max_length=200, label="选项文字")
    exclusive = blocks.BooleanBlock(required=False, label="互斥（只能单独选择，如“以上均不涉及”）")

    class Meta:
        icon = "radio-full"
        label = "选项"


class QuestionBlock(blocks.StructBlock):
    """A 情形 question asked in the self-screening, shown only while its show_if holds."""

    id = CodeBlock(label="问题编号")
    text = blocks.CharBlock(max_length=300, label="问题")
    help = blocks.TextBlock(required=False, label="说明")
    type = blocks.ChoiceBlock(choices=[("single", "单选"), ("multi", "多选")], default="single", label="题型")
    options = blocks.ListBlock(OptionBlock(), min_num=2, label="选项")
    show_if = ConditionBlock(label="显示条件（只能引用前面的问题）")

    class Meta:
        icon = "help"
        label = "情形问题"
        template = "blocks/question_block.html"


class MaterialRequirementBlock(blocks.StructBlock):
    """A material (材料) the theme asks for: which items it serves and in which situations."""

    material = RegistryChooserBlock("guides.Material", label="材料")
    name = blocks.CharBlock(max_length=300, label="本主题中的名称")
    source = blocks.ChoiceBlock(choices=SOURCE_CHOICES, label="来源")
    form = blocks.ChoiceBlock(choices=FORM_CHOICES, label="形式")
    copies = blocks.IntegerBlock(min_value=1, default=1, label="份数")
    for_items = blocks.ListBlock(CodeBlock(regex=r"^[A-Z0-9-]+$", max_length=32, label="事项编码",
                                           error_messages={"invalid": "事项编码只能用大写字母、数字和连字符。"}),
                                 min_num=1, label="服务的事项（编码）")
    when = ConditionBlock(label="适用条件")
    note = blocks.CharBlock(required=False, max_length=300, label="备注")

    class Meta:
        icon = "doc-empty"
        label = "材料"
        template = "blocks/material_requirement_block.html"


class StepBlock(blocks.StructBlock):
    """A step of the process (流程): who acts and how many working days it takes."""

    name = blocks.CharBlock(max_length=200, label="环节")
    actor = CodeBlock(regex=r"^(申请人|综合窗口|并联|快递|[A-Z][A-Z0-9]*)$", max_length=32, label="办理人",
                      help_text="申请人、综合窗口、并联、快递，或部门编码（如 SCJG）。",
                      error_messages={"invalid": "办理人须为申请人、综合窗口、并联、快递或部门编码。"})
    days = blocks.IntegerBlock(min_value=0, default=0, label="工作日")

    class Meta:
        icon = "arrow-right"
        label = "环节"
        template = "blocks/step_block.html"


class FormFieldUseBlock(blocks.StructBlock):
    """A unified-form field (一次表单字段) the theme asks, optionally only in some situations."""

    field = RegistryChooserBlock("guides.FormField", label="字段")
    when = ConditionBlock(label="适用条件")

    class Meta:
        icon = "form"
        label = "表单字段"


class ThemeItemsBlock(blocks.StreamBlock):
    item = ThemeItemBlock()


class QuestionsBlock(blocks.StreamBlock):
    question = QuestionBlock()

    class Meta:
        required = False


class MaterialsBlock(blocks.StreamBlock):
    material = MaterialRequirementBlock()


class StepsBlock(blocks.StreamBlock):
    step = StepBlock()


class FormFieldsBlock(blocks.StreamBlock):
    field = FormFieldUseBlock()

    class Meta:
        required = False
