"""Forms of the window. Labels are translated (msgids are the Chinese text); result files are checked by their
first bytes, not their name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intake.validators import sniff as sniff_bytes

from .constants import Shipment

MAX_RESULT_BYTES = 20 * 2**20


def sniff(upload) -> str | None:
    """The content type by magic bytes (PDF/JPEG/PNG; the same rule as the applicant's uploads), or None."""
    head = upload.read(8)
    upload.seek(0)
    kind = sniff_bytes(head)
    return kind[0] if kind else None


class ReturnForm(forms.Form):
    """一次性告知: tick every material and field to fix, and say how, all at once."""

    materials = forms.MultipleChoiceField(label=_("需补正的材料"), required=False, widget=forms.CheckboxSelectMultiple)
    fields = forms.MultipleChoiceField(label=_("需更正的表单内容"), required=False, widget=forms.CheckboxSelectMultiple)
    other = forms.CharField(label=_("补正要求说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("写明每项需要怎样补正，一次告知全部问题。"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(m["code"], gettext("%(name)s（%(file)s）") % {"name": m["name"], "file": m["file_name"]})
                                            for m in case.materials]
        self.fields["fields"].choices = [(f["code"], f["label"]) for f in case.fields]
        self.case = case

    def clean(self):
        data = super().clean()
        if not (data.get("materials") or data.get("fields") or (data.get("other") or "").strip()):
            raise forms.ValidationError(gettext("请至少列明一项需要补正的材料或内容。"))
        return data

    def problems(self) -> list[str]:
        # Stored and sent to the applicant: Chinese data, not interface text.
        names = {m["code"]: m["name"] for m in self.case.materials}
        labels = {f["code"]: f["label"] for f in self.case.fields}
        out = [f"材料：{names[c]}" for c in self.cleaned_data["materials"]]
        out += [f"填写内容：{labels[c]}" for c in self.cleaned_data["fields"]]
        if self.cleaned_data["other"].strip():
            out.append(self.cleaned_data["other"].strip())
        return out

    def fix(self) -> dict[str, list[str]]:
        """The ticked codes, so intake asks the applicant again for exactly these."""
        return {"materials": list(self.cleaned_data["materials"]), "fields": list(self.cleaned_data["fields"])}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("审批结论"), choices=[("approve", _("准予许可")), ("reject", _("不予许可"))],
                                 widget=forms.RadioSelect)
    licence_number = forms.CharField(label=_("证照编号"), max_length=64, required=False)
    result_file = forms.FileField(label=_("结果文件（PDF、JPG或PNG）"), required=False)
    reason = forms.CharField(label=_("不予许可理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_result_file(self):
        upload = self.cleaned_data.get("result_file")
        if upload:
            if upload.size > MAX_RESULT_BYTES:
                raise forms.ValidationError(gettext("结果文件不能超过20MB。"))
            if sniff(upload) is None:
                raise forms.ValidationError(gettext("结果文件须为PDF、JPG或PNG格式（按文件内容识别）。"))
        return upload

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not (data.get("licence_number") or data.get("result_file")):
            raise forms.ValidationError(gettext("准予许可须填写证照编号或上传结果文件。"))
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            raise forms.ValidationError(gettext("不予许可须写明理由。"))
        return data


class InspectionForm(forms.Form):
    tasks = forms.MultipleChoiceField(label=_("参加踏勘的部门事项"), widget=forms.CheckboxSelectMultiple)
    date = forms.DateField(label=_("踏勘日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("踏勘地点"), max_length=200)
    findings = forms.CharField(label=_("踏勘结论"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [
            (str(t.pk), gettext("%(department)s：%(item)s") % {"department": t.department_name or t.department_code,
                                                              "item": t.item_name})
            for t in case.tasks.all()]


class ShipForm(forms.Form):
    waybill = forms.CharField(label=_("快递运单号"), max_length=40)


class ShipmentForm(forms.Form):
    status = forms.ChoiceField(label=_("快递状态"), choices=[(Shipment.SIGNED, Shipment.SIGNED.label),
                                                             (Shipment.FAILED, Shipment.FAILED.label)])


class PickupForm(forms.Form):
    code = forms.CharField(label=_("申请人出示的取件码"), max_length=6)


class LookupForm(forms.Form):
    tracking_number = forms.CharField(label=_("办件编号"), max_length=20)
    phone = forms.CharField(label=_("联系手机"), max_length=11, help_text=_("提交申请时填写的手机号码。"))


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("服务评分"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(5, _("5分 非常满意")), (4, _("4分 满意")), (3, _("3分 基本满意")),
                                            (2, _("2分 不满意")), (1, _("1分 非常不满意"))])
    comment = forms.CharField(label=_("评价内容（选填）"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    resolution = forms.CharField(label=_("整改回访情况"), widget=forms.Textarea(attrs={"rows": 3}))


class DashboardForm(forms.Form):
    """The dashboard's range (by the day the window received the case) and site; the sites offered are the
    user's own, so a guessed site id is an invalid choice."""

    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ModelChoiceField(label=_("站点"), queryset=None, required=False, empty_label=_("全部站点"))

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
