"""The sandboxed renderer of reply templates.

A template body is plain text with placeholders ``{{ name }}``. Only the
names in ``PLACEHOLDERS`` exist; their values are strings the caller
computed beforehand (already masked where needed). Nothing else is
evaluated: no attribute access, no filters, no tags, no loops, so an
administrator's text can never reach an object, a setting or the database."""

import re

from django.utils.translation import gettext_lazy as _

PLACEHOLDER_RE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TAG_RE = re.compile(r"\{%.*?(?:%\}|$)|\{#.*?(?:#\}|$)", re.DOTALL)

PLACEHOLDERS = {
    "case_number": _("case number"),
    "citizen_name": _("citizen's name (masked)"),
    "title": _("case title"),
    "channel": _("channel"),
    "unit": _("handling unit"),
    "received_date": _("date received"),
    "reply_due": _("reply deadline"),
    "today": _("today's date"),
    "centre": _("the centre's name"),
}


class TemplateSyntaxProblem(ValueError):
    """A body with an unknown placeholder or stray braces."""


def check_template(body):
    """Raise ``TemplateSyntaxProblem`` naming the first template tag or
    comment (``{% load %}``, ``{# #}``), unknown placeholder (including any
    attribute, filter or index such as ``{{ case.citizen_phone }}``) or
    unbalanced brace; return the placeholder names used."""
    tag = TAG_RE.search(body or "")
    if tag:
        raise TemplateSyntaxProblem(
            _("“%(tag)s” is not allowed: a reply template holds plain text and placeholders such as "
              "{{ case_number }} only.") % {"tag": tag.group(0)[:60]}
        )
    used = []
    for match in PLACEHOLDER_RE.finditer(body or ""):
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise TemplateSyntaxProblem(
                _("Unknown placeholder “%(name)s”. Allowed: %(allowed)s.")
                % {"name": match.group(0), "allowed": "、".join("{{ %s }}" % key for key in PLACEHOLDERS)}
            )
        used.append(name)
    rest = PLACEHOLDER_RE.sub("", body or "")
    if "{{" in rest or "}}" in rest:
        raise TemplateSyntaxProblem(_("A placeholder is not closed: write it as {{ name }}."))
    return used


def render_template(body, values):
    """Fill the placeholders of ``body`` from ``values`` (a dict of strings).
    A placeholder with no value becomes an empty string; values are inserted
    as text and never re-read as placeholders."""
    check_template(body)
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), "") or ""), body)
