"""一次登录: applicants and staff sign in at a real OIDC provider (Keycloak); every kind of bad token is refused."""

from __future__ import annotations

import base64
import json
import re

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from wagtail.models import Site

from accounts import backends
from accounts.constants import Audience, SubjectType
from accounts.models import Identity
from intake import identity
from window.constants import Role
from window.models import WindowRole

from .conftest import Browser, direct_grant, local

pytestmark = [pytest.mark.django_db, pytest.mark.provider, pytest.mark.xdist_group("keycloak")]

ZHANGSAN = ("zhangsan", "Zhangsan-2026")
HUIMIN = ("huimin", "Huimin-2026")
WANGWU = ("wangwu", "Wangwu-2026")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _backend(audience="public"):
    backend = backends.PublicBackend() if audience == "public" else backends.StaffBackend()
    backend._configure()
    return backend


def test_first_sign_in_creates_the_applicant_from_verified_claims(sign_in, client):
    callback, response, _ = sign_in(client, *ZHANGSAN, next_url="/intake/drafts/")
    assert response.status_code == 302 and response["Location"] == "/intake/drafts/"
    user = get_user_model().objects.get(username="13800138000")  # the verified phone, as a password account's
    assert not user.has_usable_password() and user.first_name == "张三"
    ident = Identity.objects.get(user=user)
    assert (ident.audience, ident.name, ident.id_number, ident.phone, ident.subject_type) == (
        Audience.PUBLIC, "张三", "610902198001010019", "13800138000", SubjectType.PERSON)
    assert ident.level_of_assurance == "1"  # Keycloak's acr for a password login
    assert client.get("/intake/drafts/").status_code == 200  # signed in here
    assert identity.current_applicant(response.wsgi_request) == user
    assert identity.prefill(user) == {"applicant.name": "张三", "applicant.id_number": "610902198001010019",
                                      "applicant.phone": "13800138000"}


def test_a_second_sign_in_is_the_same_applicant(sign_in):
    sign_in(Client(), *ZHANGSAN)
    sign_in(Client(), *ZHANGSAN)
    assert Identity.objects.filter(subject__isnull=False, audience="public").count() == 1
    assert get_user_model().objects.filter(username="13800138000").count() == 1


def test_a_legal_person_brings_the_company_and_its_credit_code(sign_in, client):
    sign_in(client, *HUIMIN)
    ident = Identity.objects.get(phone="13900139000")
    assert (ident.subject_type, ident.company_name, ident.credit_code) == (
        SubjectType.LEGAL, "汉滨区惠民超市有限公司", "91610902MA70ABC122")
    prefill = identity.prefill(ident.user)
    assert prefill["enterprise.uscc"] == "91610902MA70ABC122" and prefill["enterprise.name"] == "汉滨区惠民超市有限公司"


def test_the_verified_phone_links_the_password_account_it_registered(sign_in, client, django_user_model):
    own = django_user_model.objects.create_user(username="13800138000", password="pw-Long-enough-1")
    sign_in(client, *ZHANGSAN)
    assert Identity.objects.get(audience="public").user == own
    assert django_user_model.objects.filter(username__startswith="oidc-").count() == 0


def test_a_replayed_callback_is_refused(sign_in, client):
    callback, first, _ = sign_in(client, *ZHANGSAN)
    assert first["Location"] == "/intake/drafts/"
    # The same browser again: its state was used up.
    again = client.get(local(callback))
    assert again.status_code == 302 and again["Location"] == "/intake/account/login/"
    assert any("登录未完成" in m for m in _messages(again))
    # Another browser with the stolen URL: no state of its own, nobody signed in.
    thief = Client()
    stolen = thief.get(local(callback))
    assert stolen["Location"] == "/intake/account/login/"
    assert thief.get("/intake/drafts/")["Location"].startswith("/intake/account/login/")


def test_a_callback_from_another_sign_in_is_refused(sign_in, providers):
    """The state and code of another browser's sign-in (login CSRF): refused, and that browser's code stays unused."""
    victim = Client()
    start = victim.get("/oidc/public/login/")
    callback = Browser().login(start["Location"], *ZHANGSAN)
    attacker = Client()
    attacker.get("/oidc/public/login/")  # a state of its own, not the one in the callback
    response = attacker.get(local(callback))
    assert response["Location"] == "/intake/account/login/"
    assert not Identity.objects.exists()


def test_an_id_token_for_another_client_is_refused(providers):
    token = direct_grant(providers, "other-app", *ZHANGSAN)["id_token"]
    with pytest.raises(SuspiciousOperation, match="(?i)audience"):
        _backend().verify_token(token, nonce=None)


def test_an_expired_id_token_is_refused(providers, monkeypatch, settings):
    token = direct_grant(providers, "guide-public", *ZHANGSAN)["id_token"]
    assert _backend().verify_token(token, nonce=None)["sub"]  # valid now: the refusal below is the clock's
    exp = json.loads(_segment(token, 1))["exp"]
    monkeypatch.setattr(backends, "now", lambda: exp + settings.OIDC_LEEWAY + 1)
    with pytest.raises(SuspiciousOperation, match="expired"):
        _backend().verify_token(token, nonce=None)


def test_a_tampered_id_token_is_refused(providers):
    token = direct_grant(providers, "guide-public", *ZHANGSAN)["id_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(_segment(token, 1))
    claims["id_number"] = "610902197505050028"  # someone else's ID number, signature kept
    forged = ".".join([header, _b64(json.dumps(claims)), signature])
    with pytest.raises(SuspiciousOperation, match="Signature"):
        _backend().verify_token(forged, nonce=None)
    unsigned = ".".join([_b64(json.dumps({"alg": "none", "typ": "JWT"})), payload, ""])
    with pytest.raises(SuspiciousOperation, match="unreadable"):
        _backend().verify_token(unsigned, nonce=None)
    # Algorithm confusion: the same claims signed with the client secret (HS256) under the provider's key id.
    kid = json.loads(_segment(token, 0))["kid"]
    hmac_signed = jwt.encode(claims, providers.client("guide-public")["secret"], algorithm="HS256",
                             headers={"kid": kid})
    with pytest.raises(SuspiciousOperation):
        _backend().verify_token(hmac_signed, nonce=None)


def test_an_id_token_with_another_nonce_is_refused(providers):
    token = direct_grant(providers, "guide-public", *ZHANGSAN)["id_token"]
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        _backend().verify_token(token, nonce="not-the-one-we-sent")


def test_a_token_from_another_issuer_is_refused(providers, settings):
    token = direct_grant(providers, "guide-public", *ZHANGSAN)["id_token"]
    backend = _backend()
    backend.provider = type(backend.provider)(**{**backend.provider.__dict__,
                                                  "issuer": providers.issuer.replace("127.0.0.1", "localhost")})
    with pytest.raises(SuspiciousOperation, match="issuer"):
        backend.verify_token(token, nonce=None)


def test_sign_out_ends_the_provider_session_too(sign_in, client, providers):
    _, _, browser = sign_in(client, *ZHANGSAN)
    # Signed in at the provider: a second sign-in goes straight back without the login form.
    again = Client().get("/oidc/public/login/")["Location"]
    assert browser.get(again).status_code == 302
    out = client.post("/intake/account/logout/")
    end = out["Location"]
    assert end.startswith(f"{providers.issuer}/protocol/openid-connect/logout?") and "id_token_hint=" in end
    back = browser.get(end)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/"
    assert client.get("/intake/drafts/").status_code == 302  # signed out here
    fresh = Client().get("/oidc/public/login/")["Location"]
    assert 'id="kc-form-login"' in browser.get(fresh).text  # and there


def test_cancelling_at_the_provider_keeps_the_visitor_signed_out(providers, client):
    start = client.get("/oidc/public/login/")
    state = dict(p.split("=", 1) for p in start["Location"].split("?", 1)[1].split("&"))["state"]
    response = client.get("/oidc/public/callback/", {"error": "access_denied", "state": state})
    assert response["Location"] == "/intake/account/login/"
    assert "您已取消统一身份认证登录。" in _messages(response)


def test_login_pages_offer_the_provider_only_when_configured(client, settings, providers):
    page = client.get("/intake/account/login/?next=/intake/drafts/").content.decode()
    assert "使用统一身份认证登录" in page and "/oidc/public/login/?next=%2Fintake%2Fdrafts%2F" in page
    assert "/oidc/staff/login/" in client.get("/admin/login/").content.decode()
    settings.OIDC_PROVIDERS = {}
    assert "使用统一身份认证登录" not in client.get("/intake/account/login/").content.decode()
    assert "/oidc/staff/login/" not in client.get("/admin/login/").content.decode()
    assert client.get("/oidc/public/login/").status_code == 404
    assert client.get("/oidc/staff/callback/?code=x&state=y").status_code == 404


def test_an_unreachable_provider_is_a_message_not_an_error(settings, client):
    from django.core.cache import cache

    from tests.processes import free_port

    cache.clear()
    settings.OIDC_PROVIDERS = {"public": {"issuer": f"http://127.0.0.1:{free_port()}/realms/guide",
                                          "client_id": "guide-public", "client_secret": "x"}}
    response = client.get("/oidc/public/login/")
    assert response.status_code == 302 and response["Location"] == "/intake/account/login/"
    assert any("统一身份认证服务暂时无法访问" in m for m in _messages(response))


# Staff: admin and window


@pytest.fixture
def hanbin_editors():
    group = Group.objects.get(name="汉滨区编辑")  # setup_editorial's group, named in the demo realm
    assert group.permissions.filter(codename="access_admin").exists() or group.permissions.add(
        Permission.objects.get(codename="access_admin")) is None
    return group


def test_staff_sign_in_maps_groups_and_window_roles(sign_in, hanbin_editors):
    client = Client()
    _, response, _ = sign_in(client, *WANGWU, audience="staff", next_url="/admin/")
    assert response["Location"] == "/admin/"
    user = Identity.objects.get(audience="staff").user
    assert user.username == "wangwu" and user.email == "wangwu@example.org" and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["汉滨区编辑"]
    hanbin = Site.objects.get(hostname="hanbin.localhost")
    roles = {(r.role, r.site_id, r.department_code) for r in WindowRole.objects.filter(user=user)}
    assert roles == {(Role.CLERK, hanbin.pk, ""), (Role.REVIEWER, None, "SCJG")}
    assert client.get("/admin/").status_code == 200
    assert client.get("/window/").status_code == 200


def test_the_provider_replaces_staff_groups_and_roles_at_each_sign_in(sign_in, hanbin_editors):
    sign_in(Client(), *WANGWU, audience="staff")
    user = Identity.objects.get(audience="staff").user
    user.groups.add(Group.objects.get(name="汉滨区审核"))
    WindowRole.objects.create(user=user, role=Role.SUPERVISOR)
    sign_in(Client(), *WANGWU, audience="staff")
    assert list(user.groups.values_list("name", flat=True)) == ["汉滨区编辑"]
    assert not WindowRole.objects.filter(user=user, role=Role.SUPERVISOR).exists()


def test_a_provider_account_never_becomes_a_local_account_of_the_same_name(sign_in, django_user_model):
    local_wangwu = django_user_model.objects.create_user(username="wangwu", password="local-Password-1",
                                                         is_superuser=True)
    sign_in(Client(), *WANGWU, audience="staff")
    user = Identity.objects.get(audience="staff").user
    assert user != local_wangwu and user.username.startswith("wangwu-") and not user.is_superuser


def test_staff_and_public_sign_ins_do_not_mix(sign_in):
    """The public client's callback never signs anyone into the staff side, nor the other way round."""
    client = Client()
    start = client.get("/oidc/staff/login/")
    callback = Browser().login(start["Location"], *WANGWU)
    response = client.get(local(callback).replace("/oidc/staff/", "/oidc/public/"))
    assert response["Location"] == "/intake/account/login/"
    assert not Identity.objects.exists()


def _segment(token: str, index: int) -> str:
    part = token.split(".")[index]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_the_form_is_prefilled_with_what_the_provider_verified(sign_in, client, case):
    sign_in(client, *HUIMIN)
    page = client.get(case.url, HTTP_HOST="localhost").content.decode()
    for name, value in (("applicant-name", "李四"), ("applicant-id_number", "610902197505050028"),
                        ("applicant-phone", "13900139000"), ("enterprise-name", "汉滨区惠民超市有限公司")):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'value="{value}"' in field, field
    # A password account (no provider) gets an empty form, as before.
    assert 'value="李四"' not in Client().get(case.url, HTTP_HOST="localhost").content.decode()


def test_signing_out_may_leave_for_the_provider_under_the_content_security_policy(providers):
    """The sign-out form is redirected to the provider: form-action names its origin, and nothing else new."""
    policy = Client().get("/intake/account/login/")["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert form_action == f"form-action 'self' {providers.url}"
