"""Vocabularies of the intake: application status, outbox state, field groups. Values are stored; labels shown."""

from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    ACCEPTED = "accepted", "已受理"
    RETURNED = "returned", "退回补正"
    IN_APPROVAL = "in_approval", "审批中"
    COMPLETED = "completed", "已办结"
    PARTLY_REJECTED = "partly_rejected", "部分不予许可"
    DELIVERED = "delivered", "已送达"


#: Statuses after which nothing more happens to the application (uploads may then be purged).
FINISHED = frozenset({Status.DELIVERED})


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达审批系统"
    FAILED = "failed", "发送失败，需人工处理"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "审批中"
    APPROVED = "approved", "准予许可"
    REJECTED = "rejected", "不予许可"


#: Group headings by field-code prefix, in the order people fill them in. Prefixes not listed here are the
#: theme's own subject matter and come after these, under a shared heading.
FIELD_GROUPS: dict[str, str] = {
    "applicant": "申请人信息",
    "person": "当事人信息",
    "agent": "委托代理人（如有）",
    "contact": "联系方式",
    "enterprise": "企业（市场主体）信息",
    "ent": "企业（市场主体）信息",
    "org": "单位信息",
    "business": "经营场所信息",
    "project": "项目信息",
    "build": "建设工程信息",
    "realty": "不动产信息",
    "vehicle": "车辆信息",
    "employee": "职工信息",
    "bank": "银行账户信息",
}
OTHER_GROUP = "办理事项相关信息"
LATE_GROUPS: dict[str, str] = {"delivery": "送达信息"}

#: What an approval backend may tell about collecting the results (webhook "delivery" object).
DELIVERY_INFO_KEYS = ("download_url", "pickup_code", "pickup_place", "waybill_number")

DELIVERY_LABELS = {"邮寄": "邮寄送达", "网上": "网上获取（电子证照）", "自取": "窗口自取"}
EXEMPT_SOURCE = "电子证照免提交"
