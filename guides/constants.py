"""Vocabularies of the catalogue format (SCHEMA.md). Values are the catalogue's own Chinese words."""

from django.db import models


class ItemKind(models.TextChoices):
    LICENCE = "行政许可", "行政许可"
    CONFIRMATION = "行政确认", "行政确认"
    BENEFIT = "行政给付", "行政给付"
    PUBLIC_SERVICE = "公共服务", "公共服务"
    OTHER = "其他行政权力", "其他行政权力"


class FieldType(models.TextChoices):
    TEXT = "text", "文本"
    TEXTAREA = "textarea", "多行文本"
    ID_NUMBER = "id_number", "身份证号码"
    USCC = "uscc", "统一社会信用代码"
    PHONE = "phone", "手机号码"
    DATE = "date", "日期"
    NUMBER = "number", "数字"
    CHOICE = "choice", "选择"
    ADDRESS = "address", "地址"
    EMAIL = "email", "电子邮箱"


class Category(models.TextChoices):
    MARKET_ENTRY = "市场准入", "市场准入"
    OPERATION = "生产经营", "生产经营"
    CONSTRUCTION = "工程建设", "工程建设"
    SOCIAL = "社会事务", "社会事务"
    PERSONAL = "个人生活", "个人生活"
    EXIT = "企业退出", "企业退出"


class Audience(models.TextChoices):
    PERSON = "自然人", "个人"
    ORGANISATION = "法人", "法人（企业、组织）"


class OnlineLevel(models.TextChoices):
    FULLY_ONLINE = "全程网办", "全程网办"
    ONLINE_PRECHECK = "网上预审", "网上预审"
    WINDOW = "窗口办理", "窗口办理"


class Delivery(models.TextChoices):
    POST = "邮寄", "邮寄送达"
    ONLINE = "网上", "网上获取"
    PICKUP = "自取", "窗口自取"


class MaterialSource(models.TextChoices):
    APPLICANT = "申请人自备", "申请人自备"
    GOVERNMENT = "政府部门核发", "政府部门核发"
    E_LICENCE = "电子证照免提交", "电子证照免提交"
    AGENCY = "中介机构出具", "中介机构出具"


class MaterialForm(models.TextChoices):
    ORIGINAL = "原件", "原件"
    COPY = "复印件", "复印件"
    BOTH = "原件及复印件", "原件及复印件"
    ELECTRONIC = "电子件", "电子件"


class SiteLevel(models.TextChoices):
    CITY = "city", "市级"
    COUNTY = "county", "县（市、区）"


# Step actors that are not departments.
FIXED_ACTORS = ("申请人", "综合窗口", "并联", "快递")

SOURCE_CHOICES = MaterialSource.choices
FORM_CHOICES = MaterialForm.choices
