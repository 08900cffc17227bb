"""Dataloaders of the staff API (graphql-sync-dataloaders): a page of cases
asks for its units, channels, directory items, assignments and events one
key at a time; each loader answers all the keys of one level of the query
with one SQL query. Loaders live for one request (on the request object),
so nothing is cached across users."""

from collections import defaultdict

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from graphql_sync_dataloaders import SyncDataLoader

from casemodels.models import (
    AssessmentExclusion, Assignment, Case, CaseEvent, ExtensionRequest, ReturnRequest, ReturnVisit,
    SupervisionNoteCase, Warning,
)
from snippets.models import Channel, DirectoryItem, Region, Unit

MAX_EVENTS = 50  # the most events a case lists at once (``events(last:)``)


class Loader(SyncDataLoader):
    """A loader whose ``batch_load`` receives the keys of one batch."""

    def __init__(self, context):
        super().__init__(self.batch_load)
        self.context = context

    def batch_load(self, keys):
        raise NotImplementedError


class ById(Loader):
    model = None
    related = ()

    def batch_load(self, keys):
        found = self.model.objects.select_related(*self.related).in_bulk([k for k in keys if k is not None])
        return [found.get(k) for k in keys]


class UnitById(ById):
    model = Unit


class ChannelById(ById):
    model = Channel


class DirectoryItemById(ById):
    model = DirectoryItem


class RegionById(ById):
    model = Region


class CaseNumberById(Loader):
    def batch_load(self, keys):
        numbers = dict(Case.objects.filter(pk__in=keys).values_list("pk", "number"))
        return [numbers.get(k) for k in keys]


class ManyByCase(Loader):
    """The rows of ``model`` of each case, in ``ordering``. Keys are the
    cases themselves: each row gets its case set, so reading ``row.case``
    costs nothing."""

    model = None
    ordering = ("pk",)
    related = ()

    def batch_load(self, cases):
        by_pk = {case.pk: case for case in cases}
        rows = defaultdict(list)
        for row in self.model.objects.filter(case_id__in=by_pk).select_related(*self.related).order_by(*self.ordering):
            row.case = by_pk[row.case_id]
            rows[row.case_id].append(row)
        return [rows.get(case.pk, []) for case in cases]


class AssignmentsByCase(ManyByCase):
    model = Assignment
    ordering = ("dispatched_at", "pk")
    related = ("unit", "parent__unit", "handler")


class ReturnVisitsByCase(ManyByCase):
    model = ReturnVisit
    ordering = ("visited_at", "pk")


class ExtensionRequestsByCase(ManyByCase):
    model = ExtensionRequest
    ordering = ("requested_at", "pk")
    related = ("unit",)


class ReturnRequestsByCase(ManyByCase):
    model = ReturnRequest
    ordering = ("requested_at", "pk")
    related = ("unit",)


class WarningsByCase(ManyByCase):
    model = Warning
    ordering = ("raised_at", "pk")
    related = ("rule", "unit")


class NotesByCase(Loader):
    """The supervision notes about each case, oldest first. Keys are cases."""

    def batch_load(self, cases):
        rows = defaultdict(list)
        links = SupervisionNoteCase.objects.filter(case_id__in=[c.pk for c in cases]).select_related("note__unit")
        for link in links.order_by("note__issued_at", "note_id"):
            rows[link.case_id].append(link.note)
        return [rows.get(case.pk, []) for case in cases]


class ExclusionByCase(Loader):
    """Each case's exclusion from assessment (核减), or None; keys are cases.
    The reviewer's username comes with it, not the whole user row."""

    def batch_load(self, cases):
        by_pk = {case.pk: case for case in cases}
        found = {}
        rows = AssessmentExclusion.objects.filter(case_id__in=by_pk).annotate(
            excluded_by_username=F("excluded_by__username"),
        )
        for row in rows:
            row.case = by_pk[row.case_id]
            found[row.case_id] = row
        return [found.get(case.pk) for case in cases]


class LastEventsByCase(Loader):
    """The last ``n`` events of each case, oldest first. One query with a window function (the row number of
    each event within its case, newest first), whatever the page size.
    Keys are ``(case, n)``."""

    def batch_load(self, keys):
        by_n = defaultdict(dict)
        for case, n in keys:
            by_n[n][case.pk] = case
        rows = defaultdict(list)
        for n, cases in by_n.items():
            ranked = CaseEvent.objects.filter(case_id__in=cases).annotate(
                position=Window(RowNumber(), partition_by=[F("case_id")],
                                order_by=[F("created_at").desc(), F("pk").desc()]),
            )
            events = ranked.filter(position__lte=n).select_related("unit").annotate(actor_username=F("actor__username"))
            for event in events.order_by("created_at", "pk"):
                event.case = cases[event.case_id]
                rows[(event.case_id, n)].append(event)
        return [rows.get((case.pk, n), []) for case, n in keys]


def loader(info, cls):
    """The request's instance of loader ``cls``."""
    request = info.context
    loaders = getattr(request, "_minsheng_loaders", None)
    if loaders is None:
        loaders = request._minsheng_loaders = {}
    if cls not in loaders:
        loaders[cls] = cls(request)
    return loaders[cls]


def reset_loaders(info):
    """Forget what this request's loaders hold (after a mutation changed
    cases: a second mutation in the same document reads them afresh)."""
    request = info.context
    request._minsheng_loaders = {}
    request._minsheng_disclosures = {}
