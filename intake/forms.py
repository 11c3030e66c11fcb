"""The unified form (一次表单) built from the fields a checklist selects, plus the account forms.

Each field is asked once, grouped for people by its code prefix; values are checked by intake.validators so the
rules are the same wherever a value comes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import tracking
from .constants import DELIVERY_LABELS, FIELD_GROUPS, LATE_GROUPS, OTHER_GROUP
from .validators import Invalid, check_value

DELIVERY_FIELD = "delivery.method"
CONTACT_FIELD = "contact.phone"
#: Fields needed only when the result is posted.
POSTAL_FIELDS = ("delivery.address", "delivery.recipient", "delivery.phone")

HELP = {
    "id_number": _("18位居民身份证号码，最后一位可能是X。"),
    "uscc": _("18位，见营业执照左上角。"),
    "phone": _("11位手机号码，用于接收办理进度短信。"),
    "date": _("格式：年-月-日，如 2026-12-01。"),
    "number": _("只填数字。"),
    "address": _("写明县（区）、镇（街道）、村（社区）及门牌号。"),
    "email": _("选填，用于接收电子材料。"),
}


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: str
    type: str
    choices: tuple[str, ...] = ()
    required: bool = True
    help: str = ""
    choice_labels: tuple[tuple[str, str], ...] = ()  # (stored value, label in the page's language)

    @property
    def name(self) -> str:
        return self.code.replace(".", "-")

    def choice_label(self, value: str) -> str:
        return dict(self.choice_labels).get(value, value)

    @property
    def prefix(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass
class Group:
    key: str
    heading: str
    fields: list[FieldSpec] = field(default_factory=list)


def group_fields(specs: list[FieldSpec]) -> list[Group]:
    """People's order: known groups first (applicant, agent, enterprise …), the theme's own next, delivery last."""
    groups: dict[str, Group] = {}
    order = list(FIELD_GROUPS)
    for spec in specs:
        prefix = spec.prefix
        key = prefix if prefix in FIELD_GROUPS or prefix in LATE_GROUPS else "_other"
        heading = FIELD_GROUPS.get(prefix) or LATE_GROUPS.get(prefix) or OTHER_GROUP
        # Two prefixes may share a heading (enterprise/ent): one fieldset.
        for g in groups.values():
            if g.heading == heading:
                key = g.key
        groups.setdefault(key, Group(key, heading)).fields.append(spec)

    def rank(g: Group) -> tuple[int, int]:
        if g.key in FIELD_GROUPS:
            return (0, order.index(g.key))
        return (2, 0) if g.key in LATE_GROUPS else (1, 0)

    return sorted(groups.values(), key=rank)


def field_specs(codes: list[str], registry: dict[str, dict], delivery_options: list[str]) -> list[FieldSpec]:
    """FieldSpecs for the outcome's field codes (in theme order), from the registry rows {label, type, choices}."""
    specs = []
    for code in dict.fromkeys(codes):  # each field once, however many items need it
        row = registry.get(code) or {"label": code, "type": "text", "choices": []}
        choices = tuple(row.get("choices") or ())
        if code == DELIVERY_FIELD:
            # Only the ways this theme actually delivers results.
            choices = tuple(c for c in delivery_options) or choices
        optional = code.startswith("agent.") or row["type"] == "email" or code in POSTAL_FIELDS
        labels = tuple(zip(row.get("choices") or (), row.get("choice_labels") or (), strict=False))
        specs.append(FieldSpec(code, row["label"], row["type"], choices, required=not optional,
                               help=HELP.get(row["type"], ""), choice_labels=labels))
    if not any(s.type == "phone" for s in specs):
        # The progress page checks a phone number: every application needs one.
        specs.append(FieldSpec(CONTACT_FIELD, _("联系手机号码"), "phone", help=HELP["phone"]))
    if DELIVERY_FIELD not in codes and delivery_options:
        specs.append(FieldSpec(DELIVERY_FIELD, _("结果送达方式"), "choice", tuple(delivery_options)))
    return specs


def _widget(spec: FieldSpec):
    attrs = {"aria-describedby": f"help_{spec.name}"} if spec.help else {}
    if spec.type == "textarea":
        return forms.Textarea(attrs={**attrs, "rows": 4})
    if spec.type == "choice":
        if len(spec.choices) <= 4:
            return forms.RadioSelect
        return forms.Select(attrs=attrs)
    if spec.type == "date":
        return forms.DateInput(attrs={**attrs, "type": "date"})
    if spec.type == "phone":
        return forms.TextInput(attrs={**attrs, "type": "tel", "inputmode": "numeric", "autocomplete": "tel",
                                      "maxlength": 16})
    if spec.type == "email":
        return forms.EmailInput(attrs={**attrs, "autocomplete": "email"})
    if spec.type == "number":
        return forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
    if spec.type in ("id_number", "uscc"):
        return forms.TextInput(attrs={**attrs, "maxlength": 18, "autocomplete": "off", "spellcheck": "false"})
    return forms.TextInput(attrs=attrs)


class UnifiedForm(forms.Form):
    """Fields are added per checklist; ``declaration`` is required only for the final submission."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, specs: list[FieldSpec], *args, final: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.specs = specs
        self.final = final
        for spec in specs:
            # Stored values stay Chinese; the labels follow the page's language (catalogue vocabulary).
            choices = [(c, DELIVERY_LABELS.get(c, c) if spec.code == DELIVERY_FIELD else spec.choice_label(c))
                       for c in spec.choices]
            if spec.type == "choice":
                if len(spec.choices) > 4:
                    choices = [("", _("请选择")), *choices]
                f = forms.ChoiceField(label=spec.label, choices=choices, required=False, widget=_widget(spec))
            else:
                f = forms.CharField(label=spec.label, required=False, widget=_widget(spec), strip=True)
            f.help_text = spec.help
            f.spec = spec
            self.fields[spec.name] = f
        self.fields["declaration"] = forms.BooleanField(
            label=_("本人承诺所填信息和所交材料真实、合法、有效，如有虚假愿承担法律责任。"), required=False)

    def clean(self):
        data = super().clean()
        if not self.final:
            return data  # a draft keeps whatever was typed, checked or not
        delivery = data.get(DELIVERY_FIELD.replace(".", "-"))
        agent_filled = any(data.get(s.name) for s in self.specs if s.code.startswith("agent."))
        for spec in self.specs:
            value = data.get(spec.name) or ""
            needed = spec.required or (spec.code.startswith("agent.") and agent_filled) or (
                spec.code in POSTAL_FIELDS and delivery == "邮寄")
            if not value:
                if needed:
                    message = gettext("请填写“{label}”。") if spec.type != "choice" else gettext("请选择“{label}”。")
                    self.add_error(spec.name, message.format(label=spec.label))
                continue
            try:
                data[spec.name] = check_value(spec.type, value, list(spec.choices))
            except Invalid as exc:
                self.add_error(spec.name, gettext("{label}：{message}").format(label=spec.label,
                                                                                message=exc.render(gettext)))
        if not data.get("declaration"):
            self.add_error("declaration", gettext("请阅读并勾选承诺。"))
        return data

    def values(self) -> dict[str, str]:
        """code -> value of the answered fields (cleaned when valid, as typed otherwise)."""
        source = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        out = {}
        for spec in self.specs:
            value = source.get(spec.name, self.data.get(spec.name, "") if self.is_bound else "")
            if value:
                out[spec.code] = value
        return out

    def groups(self):
        """(heading, [bound fields]) per fieldset, for the template."""
        return [(g.heading, [self[s.name] for s in g.fields]) for g in group_fields(self.specs)]


class RegisterForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=16,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}))
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False,
                           help_text=_("先点“获取验证码”，6位数字，5分钟内有效。"),
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password = forms.CharField(label=_("密码"), help_text=_("至少8位，不能全是数字。"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("再次输入密码"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", gettext("两次输入的密码不一致。"))
        return data


class LoginForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=16,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "username", "inputmode": "numeric"}))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ProgressForm(forms.Form):
    # Longer than the 20 digits: people may group them with spaces, which cleaning drops.
    tracking_number = forms.CharField(label=_("办件编号"), max_length=32,
                                      help_text=_("20位数字，如 61090220261127000123，见受理回执。"),
                                      widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    phone = forms.CharField(label=_("申请时填写的手机号码"), max_length=16,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}))

    def clean_tracking_number(self) -> str:
        try:
            return str(tracking.parse(tracking.normalise(self.cleaned_data["tracking_number"])))
        except tracking.MalformedNumber as exc:
            raise forms.ValidationError(exc.render(gettext), code=exc.reason) from None
