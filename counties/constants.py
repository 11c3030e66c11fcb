from django.db import models


class Role(models.TextChoices):
    EDITOR = "editor", "编辑"
    REVIEWER = "reviewer", "审核"


# Fields of a city theme a county may set to its own value; the rest always follows the city.
OVERRIDABLE_FIELDS = {
    "days_after": "办理时限（集成后，工作日）",
    "visits_after": "跑动次数（集成后）",
    "fee": "收费",
}
