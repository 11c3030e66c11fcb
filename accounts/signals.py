"""What accounts announces. The window maps a staff member's roles from the claims (accounts does not know them)."""

from django.dispatch import Signal

# identity (accounts.models.Identity), claims (dict): sent inside the sign-in's transaction.
staff_signed_in = Signal()
