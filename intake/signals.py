"""What intake tells the apps above it (e.g. notices), which it never imports.

Both are sent inside the transaction that makes the change, so a receiver's rows commit with it or not at all;
work outside the database (sending a message) belongs after commit.
"""

from django.dispatch import Signal

# application, change (the StatusChange row), with the request's language active.
submitted = Signal()
# application, change (the StatusChange row); results and delivery information are on the application already.
status_changed = Signal()
# application, task (the ApprovalTask a department just decided), before the whole application is decided.
decided = Signal()
# phone, code: a one-time registration code to send now (intake.otp); not inside any transaction.
code_requested = Signal()
