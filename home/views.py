from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guides.elder import COOKIE, MAX_AGE
from guides.i18n import is_english


# No CSRF token: the switch is in every public page's header, and a token there would give each page a visitor's
# own token and cookie, so no page could be cached (guides.pagecache). It only sets a display preference: a forged
# POST can change nothing but text size, the visitor switches it back with one click, and `next` stays on the site.
@csrf_exempt
@require_POST
def elder_mode(request):
    """Turns 长辈模式 on (``elder=1``) or off, then returns to the page the switch was on.

    A POST form in every page's header: works without JavaScript, and link prefetchers or crawlers never flip it.
    """
    request.elder_mode_read = True
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/en/" if is_english() else "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("elder") == "1":
        response.set_cookie(COOKIE, "1", max_age=MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure())
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
