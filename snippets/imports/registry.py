"""The import kinds the admin offers. ``snippets`` registers its own
configuration kinds; apps above it (``casemodels``) register theirs from
their ``AppConfig.ready()``, so that ``snippets`` never imports them."""

from dataclasses import dataclass, field
from importlib import import_module


class UnknownImportKind(LookupError):
    pass


@dataclass(frozen=True)
class ImportKind:
    """One thing that can be imported.

    ``resource`` is the dotted path of a django-import-export resource class
    built on ``snippets.imports.resources.base.ImportResource``; it is
    imported only when needed. ``sort_order`` orders the kinds in the admin
    (parents first: regions before units before staff)."""

    def max_bytes(self):
        from django.conf import settings

        default = getattr(settings, "IMPORT_EXPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
        return getattr(settings, self.max_bytes_setting, default) if self.max_bytes_setting else default

    def max_mb(self):
        return self.max_bytes() // (1024 * 1024)

    key: str
    label: object
    resource: str
    description: object = ""
    sort_order: int = 100
    options: dict = field(default_factory=dict)
    #: The setting holding this kind's own upload limit in bytes, when it
    #: takes larger files than ``IMPORT_EXPORT_MAX_UPLOAD_BYTES`` (cases).
    max_bytes_setting: str = ""

    def resource_class(self):
        module, _dot, name = self.resource.rpartition(".")
        return getattr(import_module(module), name)


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind):
    """Register (or replace, on a reload) an import kind."""
    _KINDS[kind.key] = kind
    return kind


def get_kind(key) -> ImportKind:
    try:
        return _KINDS[key]
    except (KeyError, TypeError):
        raise UnknownImportKind(key) from None


def all_kinds():
    return sorted(_KINDS.values(), key=lambda k: (k.sort_order, k.key))
