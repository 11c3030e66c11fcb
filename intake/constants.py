"""Vocabularies of the intake: application status, outbox state, field groups. Values are stored; labels shown."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    RETURNED = "returned", _("退回补正")
    IN_APPROVAL = "in_approval", _("审批中")
    COMPLETED = "completed", _("已办结")
    PARTLY_REJECTED = "partly_rejected", _("部分不予许可")
    DELIVERED = "delivered", _("已送达")


#: Statuses after which nothing more happens to the application (uploads may then be purged).
FINISHED = frozenset({Status.DELIVERED})


class OutboxState(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达审批系统")
    FAILED = "failed", _("发送失败，需人工处理")


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("审批中")
    APPROVED = "approved", _("准予许可")
    REJECTED = "rejected", _("不予许可")


#: Group headings by field-code prefix, in the order people fill them in. Prefixes not listed here are the
#: theme's own subject matter and come after these, under a shared heading.
FIELD_GROUPS: dict[str, str] = {
    "applicant": _("申请人信息"),
    "person": _("当事人信息"),
    "agent": _("委托代理人（如有）"),
    "contact": _("联系方式"),
    "enterprise": _("企业（市场主体）信息"),
    "ent": _("企业（市场主体）信息"),
    "org": _("单位信息"),
    "business": _("经营场所信息"),
    "project": _("项目信息"),
    "build": _("建设工程信息"),
    "realty": _("不动产信息"),
    "vehicle": _("车辆信息"),
    "employee": _("职工信息"),
    "bank": _("银行账户信息"),
}
OTHER_GROUP = _("办理事项相关信息")
LATE_GROUPS: dict[str, str] = {"delivery": _("送达信息")}

#: What an approval backend may tell about collecting the results (webhook "delivery" object).
DELIVERY_INFO_KEYS = ("download_url", "pickup_code", "pickup_place", "waybill_number")

class Delivery(models.TextChoices):
    """How the results reach the applicant: the catalogue's delivery values, kept in the form and hand-off."""

    POST = "邮寄", _("邮寄送达")
    ONLINE = "网上", _("网上获取（电子证照）")
    PICKUP = "自取", _("窗口自取")


DELIVERY_LABELS = dict(Delivery.choices)
EXEMPT_SOURCE = "电子证照免提交"  # a catalogue value, compared, never shown
