"""The in-process hand-off backend: intake's outbox calls the window's `receive` directly (no HTTP)."""


from intake.backends import Backend, DeliveryError, DeliveryResult, register
from intake.handoff import idempotency_key as expected_key

from .constants import Via


@register("window")
class WindowBackend(Backend):
    def deliver(self, document: dict, *, idempotency_key: str) -> DeliveryResult:
        from .services import DocumentError, receive

        if idempotency_key != expected_key(document):
            raise DeliveryError("idempotency key does not match the tracking number and version", retry=False)
        try:
            case, outcome = receive(document, via=Via.IN_PROCESS)
        except DocumentError as exc:
            # A malformed or conflicting document will not get better by retrying: it needs a person.
            raise DeliveryError(f"window refused the document: {exc}", retry=False) from exc
        return DeliveryResult(reference=case.tracking_number, duplicate=outcome == "duplicate")
