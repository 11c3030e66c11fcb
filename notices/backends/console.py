"""The development backend: the message goes to the log (recipient masked) and counts as sent."""

import logging

from intake.validators import mask_phone

from . import Backend, Message, Sent, register

log = logging.getLogger("notices.console")


@register("console")
class Console(Backend):
    channels = frozenset({"sms", "email"})

    def send(self, message: Message) -> Sent:
        to = mask_phone(message.recipient) if message.channel == "sms" else message.recipient.split("@")[-1]
        log.info("[%s → %s] %s\n%s", message.channel, to, message.subject, message.body)
        return Sent(provider_id=f"console-{message.uid}")
