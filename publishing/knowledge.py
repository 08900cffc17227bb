"""The knowledge base as the public reads it (知识库): the unified replies
(reply templates, ``snippets.ReplyTemplate``) searched by anyone, and each
one's text made fit for the public.

- ``public_templates()``: the templates the public may read — the active
  ones marked for the public knowledge base (``is_public``, on by default;
  staff untick it for answers meant for themselves).
- ``search_public_templates(query)``: the public templates that answer a
  query, best first: those whose keywords or title appear in the query
  (``find_templates``, the call-takers' matching, so "我家暖气不热怎么办"
  finds the heating answer), then those whose title, keywords, body or
  policy basis contain every word of the query.
- ``public_answer(template)``: the body without what is written for one
  case. A sentence with a case's placeholder (the citizen's name, the case
  number, its title, its dates) is left out whole — "{{ citizen_name }}您好，
  您反映的“{{ title }}”已收悉。" says nothing to the public — and the other
  placeholders read in general words ("the handling unit"). A template is
  policy text written by staff, not a person's data: it is shown as written.
"""

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from snippets.models import DirectoryItem, ReplyTemplate
from snippets.services.knowledge import find_templates
from snippets.services.templates import PLACEHOLDER_RE

MAX_MATCHED = 200  # templates taken from keyword matching, before the text search
# Placeholders that belong to one case: a sentence holding one is left out.
CASE_PLACEHOLDERS = {"case_number", "citizen_name", "title", "received_date", "reply_due"}
_SENTENCE_RE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)")


def public_templates():
    """The reply templates the public may read (see the module docstring)."""
    return ReplyTemplate.objects.filter(is_active=True, is_public=True)


def search_public_templates(query, *, category=None):
    """The public templates that answer ``query`` (any text), best first, as a
    list; ``category`` (a ``DirectoryItem``) keeps those linked to it or to an
    item below it. An empty query gives the most used, then the newest."""
    templates = public_templates()
    if category is not None:
        templates = templates.filter(directory_items__in=category.descendant_ids(include_self=True)).distinct()
    query = " ".join((query or "").split())
    if not query:
        return list(templates.order_by("-usage_count", "-pk"))
    allowed = set(templates.values_list("pk", flat=True))
    matched = [t for t in find_templates(query, limit=MAX_MATCHED) if t.pk in allowed]
    seen = {t.pk for t in matched}
    words = Q()
    for word in query.split(" "):
        words &= (
            Q(title__icontains=word) | Q(keywords__icontains=word) | Q(body__icontains=word)
            | Q(policy_basis__icontains=word)
        )
    found = templates.filter(words).exclude(pk__in=seen).order_by("-usage_count", "title", "pk")
    return matched + list(found)


def template_categories():
    """The directory items public templates are linked to, with how many each
    has: ``[(item, count), …]`` by code."""
    counts = {}
    for item_id in public_templates().values_list("directory_items", flat=True):
        if item_id is not None:
            counts[item_id] = counts.get(item_id, 0) + 1
    items = DirectoryItem.objects.filter(pk__in=counts).order_by("code")
    return [(item, counts[item.pk]) for item in items]


def public_answer(template):
    """The template's body as the public reads it (see the module docstring)."""
    general = {"unit": _("the handling unit"), "centre": _("the centre"), "channel": _("the channel"),
               "today": _("today")}
    kept = []
    for sentence in _SENTENCE_RE.findall(template.body or ""):
        names = {m.group(1) for m in PLACEHOLDER_RE.finditer(sentence)}
        if names & CASE_PLACEHOLDERS:
            continue
        kept.append(PLACEHOLDER_RE.sub(lambda m: str(general.get(m.group(1), "")), sentence))
    return "".join(kept).strip()
