"""Vocabularies of sign-in through the unified identity provider (统一身份认证). Values are stored."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    """Who signs in through a provider client: the public (applicants) or staff (admin and window)."""

    PUBLIC = "public", _("办事群众和企业")
    STAFF = "staff", _("工作人员")


class SubjectType(models.TextChoices):
    PERSON = "person", _("自然人")
    LEGAL = "legal", _("法人")
