"""长辈模式 (elder-friendly mode, MIIT 《互联网网站适老化通用设计规范》): large text, high contrast, large tap
targets, no pop-ups. The choice lives in a cookie, so it is remembered without an account.

In the foundation because the pages of every app honour it (the checklist PDF prints large); home offers the switch."""

COOKIE = "elder"
MAX_AGE = 365 * 24 * 60 * 60
LARGE_PARAM = "_large"  # checklist PDF in large print; underscored like the wizard's own parameters


def is_elder(request) -> bool:
    # Recorded on the request: whatever read the cookie made the response depend on it (Vary: Cookie).
    request.elder_mode_read = True
    return request.COOKIES.get(COOKIE) == "1"
