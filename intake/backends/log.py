"""The development backend: writes the hand-off to the log and calls it delivered (no approval system needed)."""

import logging

from . import Backend, DeliveryResult, register

log = logging.getLogger("intake.handoff")


@register("log")
class LogBackend(Backend):
    def deliver(self, document: dict, *, idempotency_key: str) -> DeliveryResult:
        log.warning("hand-off (log backend) %s: %s, %d items, %d materials", idempotency_key,
                    document["theme"]["code"], len(document["items"]), len(document["materials"]))
        return DeliveryResult(reference=idempotency_key)
