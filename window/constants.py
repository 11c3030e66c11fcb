"""Vocabularies of the comprehensive window (综合窗口). Values are stored; labels are shown (translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Shared with intake: the task results the window reports and the delivery values of the form and hand-off.
from intake.constants import Delivery, TaskStatus  # noqa: F401


class Role(models.TextChoices):
    CLERK = "clerk", _("综合窗口受理人员")
    REVIEWER = "reviewer", _("部门审批人员")
    SUPERVISOR = "supervisor", _("督查人员")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("待受理")
    RETURNED = "returned", _("退回补正")
    IN_APPROVAL = "in_approval", _("联办审批中")
    DECIDED = "decided", _("审批完毕待出件")
    ISSUED = "issued", _("已统一出件")
    DELIVERED = "delivered", _("已送达")


class Shipment(models.TextChoices):
    NONE = "", "—"
    SHIPPED = "shipped", _("已寄出")
    SIGNED = "signed", _("已签收")
    FAILED = "failed", _("投递失败")


class Via(models.TextChoices):
    IN_PROCESS = "in_process", _("系统内推送")
    HTTP = "http", _("接口推送")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待回访整改")
    CLOSED = "closed", _("已办结")


#: Statuses in which the case is still running against its promised deadline.
RUNNING = frozenset({CaseStatus.RECEIVED, CaseStatus.IN_APPROVAL, CaseStatus.DECIDED})
#: Working days before the deadline from which a case is flagged "due soon".
DUE_SOON_WORKDAYS = 3
#: A bad rating (差评) is at most this score; it opens a follow-up due in FOLLOW_UP_WORKDAYS working days.
BAD_RATING = 2
FOLLOW_UP_WORKDAYS = 15
#: Used when the catalogue does not know the theme (e.g. a window deployment without the catalogue).
DEFAULT_PROMISED_DAYS = 20
