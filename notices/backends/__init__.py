"""Notice backends: how a message leaves (console in development, SMTP, an SMS gateway over HTTP).

A backend is a class registered under a name; its module is listed in settings.NOTICE_PLUGINS and the one used
per channel is settings.NOTICE_BACKENDS[channel]::

    @register("console")
    class Console(Backend):
        channels = {"sms", "email"}
        def send(self, message: Message) -> Sent: ...

`send` may be called again for a message it already took (a crash between the provider's answer and our commit):
it passes ``message.uid`` to the provider, which de-duplicates by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from guides.plugins import Registry


@dataclass(frozen=True)
class Message:
    uid: str
    channel: str
    recipient: str
    language: str
    subject: str
    body: str
    template_code: str = ""
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """The provider took the message; ``provider_id`` is its own id for it, if it gives one."""

    provider_id: str = ""


class SendError(Exception):
    """Sending failed. ``retry``: worth trying again later (network, 5xx, throttled); otherwise a person must look."""

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


class Backend:
    name: ClassVar[str] = ""
    channels: ClassVar[frozenset[str]] = frozenset()

    def send(self, message: Message) -> Sent:
        raise NotImplementedError


_backends: Registry[Backend] = Registry("notice backend", Backend, plugins_setting="NOTICE_PLUGINS")
register = _backends.register
names = _backends.names
get_backend = _backends.get
