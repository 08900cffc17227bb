"""Wagtail loads this module; the workbench screens live in ``admin/``."""

from .admin import cases, dashboard, inbox  # noqa: F401
from .admin import supervision  # noqa: F401
from .admin import alerts  # noqa: F401
from .admin import assessment  # noqa: F401
from .admin import analysis  # noqa: F401
from .admin import learning  # noqa: F401
from .admin import privacy  # noqa: F401
