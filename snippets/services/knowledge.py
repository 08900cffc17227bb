"""The knowledge base at work: reply templates and duty boundaries for a
request being registered or answered.

Used by the intake and case screens (and the API). Everything here is ORM
only and works with Chinese text: the request's text is not split into
words; instead each template's keywords and title are looked for as
substrings of the text.

Functions:

- ``find_templates(text, directory_item=None, case_type=None, limit=5)``:
  the best matching active reply templates, best first.
- ``record_template_use(template)``: count one use (a single UPDATE).
- ``template_values(...)``: the placeholder values for ``render_template``.
- ``boundaries_for(directory_item)``: the active duty boundaries of an item
  or of a category above it.
"""

import datetime

from django.db.models import F, Q
from django.utils import timezone

from ..models import DirectoryItem, DutyBoundary, ReplyTemplate
from .masking import mask_name

#: Score of a template linked to the picked item itself, or to a category above it.
LINKED_ITEM_SCORE = 10
LINKED_CATEGORY_SCORE = 6
#: Score of each keyword found in the text, and of the whole title found in it.
KEYWORD_SCORE = 3
TITLE_SCORE = 4
#: Templates tried by text alone are capped, so a huge knowledge base stays cheap.
MAX_CANDIDATES = 2000


def _item_chain(directory_item):
    """The item and its ancestors, nearest first (ids)."""
    if directory_item is None:
        return []
    if not isinstance(directory_item, DirectoryItem):
        directory_item = DirectoryItem.objects.get(pk=directory_item)
    return [node.pk for node in reversed(directory_item.ancestors(include_self=True))]


def find_templates(text, directory_item=None, case_type=None, limit=5):
    """Return up to ``limit`` active reply templates for a request, best first.

    ``text`` is the request's title and content (any language; Chinese is
    matched by substring). ``directory_item`` (an item or its pk) adds the
    templates linked to it or to a category above it. ``case_type`` (a
    ``CaseType`` value) keeps templates of that type or of any type.

    Scoring: linked to the item 10, to a category above it 6; each keyword
    found in the text 3; the title found in the text 4. Ties go to the more
    used template. Templates scoring 0 are left out. Each returned template
    carries ``score`` and ``matched_keywords`` attributes."""
    text = (text or "").strip()
    chain = _item_chain(directory_item)
    if not text and not chain:
        return []
    templates = ReplyTemplate.objects.filter(is_active=True)
    if case_type:
        templates = templates.filter(Q(case_type="") | Q(case_type=case_type))
    templates = templates.prefetch_related("directory_items").order_by("-usage_count", "title", "pk")
    if not text:
        templates = templates.filter(directory_items__in=chain).distinct()
    scored = []
    for template in templates[:MAX_CANDIDATES]:
        score = 0
        linked = {item.pk for item in template.directory_items.all()}
        if chain and chain[0] in linked:
            score += LINKED_ITEM_SCORE
        elif linked.intersection(chain[1:]):
            score += LINKED_CATEGORY_SCORE
        matched = [word for word in template.keyword_list if word in text]
        score += KEYWORD_SCORE * len(matched)
        if template.title and template.title in text:
            score += TITLE_SCORE
        if score:
            template.score = score
            template.matched_keywords = matched
            scored.append(template)
    scored.sort(key=lambda t: (-t.score, -t.usage_count, t.title, t.pk))
    return scored[:limit]


def record_template_use(template):
    """Count one use of ``template`` (a template or its pk): one UPDATE with
    ``F()``, safe under concurrent use. Returns the number of rows updated."""
    pk = getattr(template, "pk", template)
    return ReplyTemplate.objects.filter(pk=pk).update(
        usage_count=F("usage_count") + 1, last_used_at=timezone.now(),
    )


def _date(value):
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y年%m月%d日")
    if isinstance(value, datetime.date):
        return value.strftime("%Y年%m月%d日")
    return str(value)


def template_values(*, case_number="", citizen_name="", title="", channel="", unit="", received=None,
                    reply_due=None, today=None, centre="", mask_citizen_name=True):
    """The placeholder dict for ``render_template`` from plain values.

    Every value becomes a string; dates and datetimes (local time) are
    written as 2025年01月31日; the citizen's name is masked (张**) unless
    ``mask_citizen_name=False``; ``today`` defaults to the local date. The
    caller passes strings or plain values, never a case object, so a
    template can only ever print what is put here."""
    name = str(citizen_name or "")
    if mask_citizen_name and name:
        name = mask_name(name)
    return {
        "case_number": str(case_number or ""),
        "citizen_name": name,
        "title": str(title or ""),
        "channel": str(channel or ""),
        "unit": str(unit or ""),
        "received_date": _date(received),
        "reply_due": _date(reply_due),
        "today": _date(today if today is not None else timezone.localdate()),
        "centre": str(centre or ""),
    }


def boundaries_for(directory_item):
    """The active duty boundaries linked to ``directory_item`` (an item or its
    pk) or to a category above it; those of the item itself first."""
    chain = _item_chain(directory_item)
    if not chain:
        return []
    rows = list(
        DutyBoundary.objects.filter(is_active=True, directory_items__in=chain)
        .select_related("lead_unit").prefetch_related("co_units", "directory_items")
        .distinct()
    )
    depth = {pk: index for index, pk in enumerate(chain)}

    def nearest(boundary):
        return min(depth[item.pk] for item in boundary.directory_items.all() if item.pk in depth)

    rows.sort(key=lambda b: (nearest(b), b.matter, b.pk))
    return rows
