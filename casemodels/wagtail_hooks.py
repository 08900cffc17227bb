"""Wagtail loads this module; the workbench screens live in ``admin/``."""

from .admin import cases, dashboard, inbox  # noqa: F401
