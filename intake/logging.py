"""A logging filter that masks resident ID numbers in every record (message and arguments)."""

import logging

from .validators import mask_ids_in_text


class MaskIdNumbersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_ids_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
