"""Signals of the configuration app. Apps above it (casemodels) listen; the
configuration never imports them."""

from django.dispatch import Signal

# Sent when calendar rows change without post_save (bulk seeding); ``years``
# lists the years concerned.
calendar_changed = Signal()
