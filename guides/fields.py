"""A list of choices stored as JSON and edited with checkboxes (works on SQLite and PostgreSQL alike)."""

from django import forms
from django.db import models


class ChoiceListField(models.JSONField):
    def __init__(self, *args, choice_list=(), **kwargs):
        self.choice_list = list(choice_list)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_list"] = self.choice_list
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.choice_list,
            widget=forms.CheckboxSelectMultiple,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        allowed = {c for c, _ in self.choice_list}
        unknown = [v for v in value or [] if v not in allowed]
        if unknown:
            raise forms.ValidationError(f"未知的选项：{'、'.join(map(str, unknown))}")
