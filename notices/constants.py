"""Vocabularies of the notices: the milestones an applicant hears about, the channels, a message's state."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ACCEPTED = "accepted", _("受理")
    RETURNED = "returned", _("补正")
    DECISION = "decision", _("部门审批结果")
    COMPLETED = "completed", _("办结")
    DELIVERED = "delivered", _("送达")
    RATING = "rating", _("评价邀请")
    VERIFICATION = "verification", _("注册验证码")


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")


class State(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
