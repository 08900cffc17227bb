"""Widgets for spreadsheet cells as people type them: codes instead of ids
(looked up in a per-import cache, never one query per row), choices by
their value or their Chinese or English label, yes/no in Chinese, dates in
the usual Chinese forms."""

import datetime
import functools
import re
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import widgets

LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")

TRUE_WORDS = {"1", "true", "yes", "y", "是", "有", "启用", "有效", "√", "✓", "对"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "无", "停用", "禁用", "无效", "×", "✗", "不"}


def cell_text(value):
    """A cell as text: numbers typed as numbers keep no ``.0``; blanks are ''."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return int(Decimal(text))
        except ArithmeticError:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None


class YesNoWidget(widgets.Widget):
    """是/否, 启用/停用, 1/0, true/false. A blank cell gives the field default."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if not text:
            return None
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValueError(_("“%(value)s” is not yes or no (use 是 or 否).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceWidget(widgets.Widget):
    """A choice by its stored value, its label in Chinese or English, or one
    of the ``aliases`` ({value: [other words]})."""

    def __init__(self, choices, aliases=None):
        self.choices = choices
        self.aliases = aliases or {}
        self._map = None

    def _lookup(self):
        if self._map is None:
            mapping = {}
            for value, label in self.choices.choices:
                for language in ("en", "zh-hans"):
                    with translation.override(language):
                        mapping[str(label).strip().lower()] = value
                mapping[str(value).lower()] = value
            for value, words in self.aliases.items():
                for word in words:
                    mapping[word.lower()] = value
            self._map = mapping
        return self._map

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        try:
            return self._lookup()[text.lower()]
        except KeyError:
            allowed = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value in (None, ""):
            return ""
        return str(self.choices(value).label)


class DateWidget(widgets.Widget):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        text = text.split(" ")[0]
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date (use 2025-10-01).") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DateTimeWidget(widgets.Widget):
    """A moment in the centre's own time zone (naive cells are local time)."""

    FORMATS = (
        "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
        "%Y年%m月%d日 %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d",
    )

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            moment = value
        elif isinstance(value, datetime.date):
            moment = datetime.datetime.combine(value, datetime.time())
        else:
            text = cell_text(value)
            if not text:
                return None
            moment = _iso_moment(text) or self._parse(text)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=_zone(settings.TIME_ZONE))
        return moment

    def _parse(self, text):
        for fmt in self.FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date and time (use 2025-10-01 09:30).") % {"value": text})


@functools.lru_cache(maxsize=4)
def _zone(name):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _iso_moment(text):
    """The common ``2025-10-01 09:30[:00]`` (or with a ``T``) without trying
    each format in turn: a historical import reads three of them a row."""
    if len(text) in (16, 19) and text[4] == "-" and text[7] == "-" and text[10] in " T":
        try:
            return datetime.datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key by natural key (``code``). Lookups go to the resource's
    per-import cache: one query per referenced model for the whole file.
    Rows created earlier in the same file are found too (parents before
    children)."""

    def __init__(self, model, field="code", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.resource = None  # set by the resource

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            return None
        return self.resource.resolve(self.model, code, field=self.field)

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.field, "") if value is not None else ""


class CodesWidget(widgets.ManyToManyWidget):
    """Several codes in one cell, separated by commas or 、."""

    def __init__(self, model, field="code", also_by="", choices=None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.also_by = also_by
        self.labels = ChoiceWidget(choices) if choices is not None else None
        self.resource = None

    def clean(self, value, row=None, **kwargs):
        codes = [c.strip() for c in LIST_SEPARATORS.split(cell_text(value)) if c.strip()]
        return [self._one(code) for code in codes]

    def _one(self, code):
        if self.labels is not None:
            # A fixed code's label (“派单员”) names the same object as its code.
            code = self.labels._lookup().get(code.lower(), code)
        return self.resource.resolve(self.model, code, field=self.field, also_by=self.also_by)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(getattr(o, self.field) for o in value.all())
