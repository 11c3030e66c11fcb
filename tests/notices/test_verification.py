"""注册短信验证码: a registrant proves the phone is theirs; codes are one-time, short-lived and rate limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from notices.constants import State
from notices.models import Notice

pytestmark = pytest.mark.django_db
REGISTER = "/intake/account/register/"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()  # the limits live in the shared cache, which outlives a test's transaction
    yield
    cache.clear()


def ask(client, phone=PHONE, ip="10.0.0.1", capture=None):
    if capture is None:
        return client.post(REGISTER, {"action": "send_code", "phone": phone}, REMOTE_ADDR=ip)
    with capture(execute=True):
        return client.post(REGISTER, {"action": "send_code", "phone": phone}, REMOTE_ADDR=ip)


def register(client, code, phone=PHONE, password="kai-chao-shi-2026"):
    return client.post(REGISTER, {"phone": phone, "code": code, "password": password, "password2": password})


def test_the_code_reaches_the_gateway_and_registers_once(client, gateway, django_capture_on_commit_callbacks,
                                                        django_user_model):
    first = client.get(REGISTER).content.decode()
    assert 'value="send_code"' in first and 'name="password"' not in first  # step 1: the number only
    page = ask(client, capture=django_capture_on_commit_callbacks)
    body = page.content.decode()
    assert page.status_code == 200 and "验证码已发送至 139****5678" in body and 'name="code"' in body
    assert f'value="{PHONE}"' in body
    [sent] = gateway.received
    assert sent["template_code"] == "SMS_YJS_VERIFY" and sent["phone"] == PHONE
    code = sent["params"]["code"]
    assert len(code) == 6 and code.isdigit()
    notice = Notice.objects.get(event="verification")
    assert notice.state == State.SENT and code not in notice.body and notice.params["code"] == "******"

    assert register(client, "000000" if code != "000000" else "111111").status_code == 400
    assert register(client, code).status_code == 302
    assert django_user_model.objects.filter(username=PHONE).exists()
    client.post("/intake/account/logout/")
    again = register(client, code, phone=PHONE)
    assert again.status_code == 400  # one-time (and the number is taken now)


def test_no_code_no_account(client, django_user_model):
    page = register(client, "")
    assert page.status_code == 400 and "短信验证码不正确或已过期" in page.content.decode()
    assert not django_user_model.objects.exists()


def test_a_bad_password_does_not_use_up_the_code(client, gateway, django_capture_on_commit_callbacks):
    ask(client, capture=django_capture_on_commit_callbacks)
    code = gateway.received[0]["params"]["code"]
    assert register(client, code, password="12345678").status_code == 400  # all digits: refused first
    assert register(client, code).status_code == 302


def test_wrong_guesses_burn_the_code(client, gateway, settings, django_capture_on_commit_callbacks):
    ask(client, capture=django_capture_on_commit_callbacks)
    code = gateway.received[0]["params"]["code"]
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(settings.INTAKE_OTP_MAX_TRIES):
        assert register(client, wrong).status_code == 400
    assert register(client, code).status_code == 400  # burnt


def test_asking_again_too_soon_keeps_the_form_and_says_when(client, gateway, django_capture_on_commit_callbacks):
    ask(client, capture=django_capture_on_commit_callbacks)
    again = ask(client)
    assert again.status_code == 429 and again["Retry-After"] == "60"
    assert "请60秒后再重新获取" in again.content.decode() and 'name="code"' in again.content.decode()
    assert len(gateway.received) == 1


def test_limit_per_number_across_clients_and_per_client_across_numbers(client, settings):
    settings.INTAKE_OTP_INTERVAL = 1
    settings.INTAKE_OTP_RATE_PHONE = (2, 3600)
    settings.INTAKE_OTP_RATE_CLIENT = (3, 3600)
    for ip in ("10.0.0.1", "10.0.0.2"):
        cache.delete(f"otp:wait:{PHONE}")
        assert ask(client, ip=ip).status_code == 200
    cache.delete(f"otp:wait:{PHONE}")
    third = ask(client, ip="10.0.0.3")
    assert third.status_code == 429 and "该手机号获取验证码次数过多" in third.content.decode()
    # One client walking through numbers: three codes, then no more from it.
    for n, expected in ((1, 200), (2, 200), (3, 200), (4, 429)):
        assert ask(client, phone=f"1370000000{n}", ip="10.0.0.9").status_code == expected
    assert "获取验证码过于频繁" in ask(client, phone="13700000005", ip="10.0.0.9").content.decode()


def test_a_malformed_number_is_refused_in_chinese(client):
    page = ask(client, phone="1234")
    assert page.status_code == 400 and "手机号码" in page.content.decode() and 'name="password"' not in \
        page.content.decode()
