"""Staff types of the case API. Relations resolve through the request's
dataloaders (``dataloaders``), so a page of cases costs a fixed number of
queries whatever its size; personal data goes through ``Disclosure``
(``lookup.disclosure``): in full only for roles allowed to read it."""

import graphene

from casemodels.models import CaseEvent
from casemodels.services.inbox import CLOCK_STATES, with_lights
from casemodels.services.permissions import available_actions
from casemodels.services.privacy import Where, log_personal_data_access
from snippets.models import CaseType, Urgency

from . import dataloaders as dl
from .lookup import disclosure, staff

CaseStateEnum = graphene.Enum("CaseState", [(s.upper(), s) for s in
                                            ("received", "dispatched", "handling", "replied", "closed", "archived",
                                             "merged", "diverted", "invalid")])


class LightEnum(graphene.Enum):
    """The deadline light of a running clock (DESIGN §5; the workbench's lights)."""

    class Meta:
        name = "DeadlineLight"

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class UnitRef(graphene.ObjectType):
    class Meta:
        name = "UnitRef"

    code = graphene.String(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True)


class StaffRef(graphene.ObjectType):
    """A staff member by id and name (a unit leader, a handler)."""

    class Meta:
        name = "StaffRef"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)


class CodeName(graphene.ObjectType):
    """A configuration row by its code and name (channel, directory item, region)."""

    class Meta:
        name = "CodeName"

    code = graphene.String(required=True)
    name = graphene.String(required=True)


class CitizenType(graphene.ObjectType):
    """The citizen's data: in full for roles that may read it, masked otherwise."""

    class Meta:
        name = "Citizen"

    name = graphene.String()
    phone = graphene.String()
    id_number = graphene.String()
    address = graphene.String()
    is_anonymous = graphene.Boolean(required=True)
    masked = graphene.Boolean(required=True, description="True when the values above are masked for you.")


PERSONAL_FIELDS = {"name": "name", "phone": "phone", "idNumber": "id_number", "address": "address"}


def asked_personal_fields(info):
    """The personal data fields the query selects on ``citizen`` (aliases
    and fragments included), in the log's names."""
    asked = set()

    def walk(selection_set):
        for selection in getattr(selection_set, "selections", None) or ():
            if selection.kind == "fragment_spread":
                walk(info.fragments[selection.name.value].selection_set)
            elif selection.kind == "inline_fragment":
                walk(selection.selection_set)
            elif selection.name.value in PERSONAL_FIELDS:
                asked.add(PERSONAL_FIELDS[selection.name.value])

    for node in info.field_nodes:
        walk(node.selection_set)
    return tuple(f for f in PERSONAL_FIELDS.values() if f in asked)


class CitizenLogLoader(dl.Loader):
    """Answers ``citizen`` for the cases whose personal data the asker reads
    unmasked, logging them all at once (one INSERT per level of the query):
    keys are ``(case, fields)``, the values the ``CitizenType``."""

    def batch_load(self, keys):
        disclosures = self.context._minsheng_disclosures
        shown, fields = [], set()
        for case, asked in keys:
            values = disclosures[case.pk].citizen()
            if any(values[f] for f in asked):
                shown.append(case)
                fields.update(asked)
        log_personal_data_access(self.context._minsheng_staff, shown, where=Where.GRAPHQL,
                                 fields=[f for f in PERSONAL_FIELDS.values() if f in fields], detail="Case.citizen")
        return [citizen_of(case, disclosures[case.pk]) for case, _asked in keys]


def citizen_of(case, shown):
    values = shown.citizen()
    return CitizenType(name=values["name"], phone=values["phone"], id_number=values["id_number"],
                       address=values["address"], is_anonymous=case.is_anonymous, masked=not shown.sees)


class DeadlinesType(graphene.ObjectType):
    class Meta:
        name = "Deadlines"

    sign_due = graphene.DateTime()
    contact_due = graphene.DateTime()
    reply_due = graphene.DateTime()
    completion_due = graphene.DateTime()
    provisional = graphene.Boolean(required=True, description="A deadline fell in a year without a work calendar.")
    paused_since = graphene.DateTime(description="The clock is paused (waiting for the citizen or a review).")


class AssignmentType(graphene.ObjectType):
    class Meta:
        name = "Assignment"

    unit = graphene.Field(UnitRef, required=True)
    role = graphene.String(required=True, description="lead or co (co-handling)")
    state = graphene.String(required=True)
    round = graphene.Int(required=True)
    parent_unit = graphene.Field(UnitRef, description="The unit that sub-dispatched it; null from the centre.")
    dispatched_at = graphene.DateTime(required=True)
    signed_at = graphene.DateTime()
    finished_at = graphene.DateTime()
    sign_due = graphene.DateTime()
    reply_due = graphene.DateTime()
    contacted_at = graphene.DateTime(description="When the unit recorded its first contact with the citizen.")
    handler = graphene.Field(StaffRef, description="Who in the unit is to handle it, when named at dispatch.")
    contact_due = graphene.DateTime(
        description="The first-contact deadline the contact is measured against (the case's, when it was recorded).",
    )

    def resolve_parent_unit(self, info):
        return self.parent.unit if self.parent_id else None


ACTION_LABELS = dict(CaseEvent.Action.choices)  # lazy labels, in the asker's language when read


class EventType(graphene.ObjectType):
    """One step of the dossier (全流程卷宗)."""

    class Meta:
        name = "CaseEvent"

    action = graphene.String(required=True)
    label = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    unit = graphene.Field(UnitRef)
    actor = graphene.String(description="The staff member's username; null for the system or a citizen.")
    from_state = graphene.String()
    to_state = graphene.String()
    note = graphene.String(required=True)

    def resolve_label(self, info):
        label = ACTION_LABELS.get(self.action)
        return str(label) if label is not None else self.action

    def resolve_at(self, info):
        return self.created_at

    def resolve_actor(self, info):
        if not self.actor_id:
            return None
        # The loader reads the username alone rather than the whole user row.
        return getattr(self, "actor_username", None) or self.actor.get_username()

    def resolve_note(self, info):
        return disclosure(info, self.case).text(self.note)


class ReturnVisitType(graphene.ObjectType):
    class Meta:
        name = "ReturnVisit"

    round = graphene.Int(required=True)
    method = graphene.String(required=True)
    satisfaction = graphene.String(required=True)
    resolved = graphene.Boolean(required=True)
    visited_at = graphene.DateTime(required=True)
    note = graphene.String(required=True)

    def resolve_note(self, info):
        return disclosure(info, self.case).text(self.note)


class ReviewedRequestType(graphene.ObjectType):
    """A return (退单) or extension (延期) request and its review."""

    class Meta:
        name = "ReviewedRequest"

    unit = graphene.Field(UnitRef, required=True)
    reason = graphene.String(required=True)
    state = graphene.String(required=True)
    requested_at = graphene.DateTime(required=True)
    reviewed_at = graphene.DateTime()
    review_note = graphene.String(required=True)
    working_days = graphene.Int(description="Extensions only: the extra working days asked for.")

    def resolve_working_days(self, info):
        return getattr(self, "working_days", None)


class WarningType(graphene.ObjectType):
    """A warning the sweep raised on the case (预警): which rule, at what level, when."""

    class Meta:
        name = "CaseWarning"

    rule = graphene.String(required=True, description="The rule's name.")
    kind = graphene.String(required=True, description="near_due, overdue, repeat_caller, … (WarningRule kinds)")
    level = graphene.String(required=True, description="yellow or red")
    raised_at = graphene.DateTime(required=True)
    unit = graphene.Field(UnitRef, description="The unit told.")

    def resolve_rule(self, info):
        return self.rule.name

    def resolve_kind(self, info):
        return self.rule.kind


class AssessmentExclusionType(graphene.ObjectType):
    """The case is left out of every unit's assessment figures after review
    (核减): why, when and by whom."""

    class Meta:
        name = "AssessmentExclusion"

    reason = graphene.String(required=True)
    excluded_at = graphene.DateTime(required=True)
    excluded_by = graphene.String(description="The reviewer's username; null when the account is gone.")

    def resolve_reason(self, info):
        return disclosure(info, self.case).text(self.reason)

    def resolve_excluded_by(self, info):
        return getattr(self, "excluded_by_username", None)


class CaseType(graphene.ObjectType):
    """A case as a staff member sees it (scoped to their units; personal data
    per their roles)."""

    class Meta:
        name = "Case"

    number = graphene.String(required=True)
    title = graphene.String(required=True)
    content = graphene.String(required=True)
    case_type = graphene.String(required=True, description="|".join(CaseType.values))
    urgency = graphene.String(required=True, description="|".join(Urgency.values))
    state = graphene.Field(CaseStateEnum, required=True)
    state_label = graphene.String(required=True)
    round = graphene.Int(required=True)
    version = graphene.Int(required=True, description="Pass it back as expectedVersion to act on this version only.")
    channel = graphene.Field(CodeName, required=True)
    directory_item = graphene.Field(CodeName)
    region = graphene.Field(CodeName)
    owner_unit = graphene.Field(UnitRef, required=True, description="The first-receiving unit (首接负责).")
    citizen = graphene.Field(CitizenType, required=True)
    is_confidential = graphene.Boolean(required=True)
    is_public = graphene.Boolean(required=True)
    is_unsatisfied = graphene.Boolean(required=True)
    merged_into = graphene.String(description="The primary case's number, when merged.")
    reply = graphene.String(required=True)
    received_at = graphene.DateTime(required=True)
    dispatched_at = graphene.DateTime()
    replied_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    updated_at = graphene.DateTime(required=True)
    deadlines = graphene.Field(DeadlinesType, required=True)
    light = graphene.Field(LightEnum, description="The deadline light; null when no clock runs.")
    assignments = graphene.List(graphene.NonNull(AssignmentType), required=True)
    events = graphene.List(
        graphene.NonNull(EventType), required=True, last=graphene.Int(default_value=20),
        description=f"The last events, oldest first (at most {dl.MAX_EVENTS}).",
    )
    return_visits = graphene.List(graphene.NonNull(ReturnVisitType), required=True)
    extension_requests = graphene.List(graphene.NonNull(ReviewedRequestType), required=True)
    return_requests = graphene.List(graphene.NonNull(ReviewedRequestType), required=True)
    warnings = graphene.List(graphene.NonNull(WarningType), required=True, description="Oldest first.")
    supervision_notes = graphene.List(
        graphene.NonNull("api.cases.supervision.SupervisionNoteType"), required=True,
        description="Reminder and supervision notes about this case, oldest first.",
    )
    assessment_exclusion = graphene.Field(
        AssessmentExclusionType,
        description="Set when the case is excluded from assessment after review (核减); null when it counts.",
    )
    available_actions = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="The lifecycle actions you may take now (one SQL query or more per case: ask on one case).",
    )

    def resolve_state_label(self, info):
        return str(self.get_state_display())

    def resolve_title(self, info):
        return disclosure(info, self).text(self.title)

    def resolve_content(self, info):
        return disclosure(info, self).text(self.content)

    def resolve_reply(self, info):
        return disclosure(info, self).text(self.reply)

    def resolve_channel(self, info):
        return dl.loader(info, dl.ChannelById).load(self.channel_id)

    def resolve_directory_item(self, info):
        return dl.loader(info, dl.DirectoryItemById).load(self.directory_item_id) if self.directory_item_id else None

    def resolve_region(self, info):
        return dl.loader(info, dl.RegionById).load(self.region_id) if self.region_id else None

    def resolve_owner_unit(self, info):
        return dl.loader(info, dl.UnitById).load(self.owner_unit_id)

    def resolve_citizen(self, info):
        shown = disclosure(info, self)
        asked = asked_personal_fields(info) if shown.sees else ()
        if not asked:  # masked, or no personal data asked for: nothing to log
            return citizen_of(self, shown)
        staff(info)  # the asker, kept on the request for the loader
        return dl.loader(info, CitizenLogLoader).load((self, asked))

    def resolve_merged_into(self, info):
        return dl.loader(info, dl.CaseNumberById).load(self.merged_into_id) if self.merged_into_id else None

    def resolve_deadlines(self, info):
        return DeadlinesType(sign_due=self.sign_due, contact_due=self.contact_due, reply_due=self.reply_due,
                             completion_due=self.completion_due, provisional=self.deadlines_provisional,
                             paused_since=self.paused_since)

    def resolve_light(self, info):
        light = getattr(self, "light", None)  # annotated on a page of cases (inbox.with_lights)
        if light is not None:
            return light or None
        if self.state not in CLOCK_STATES or self.paused_since is not None:
            return None
        return with_lights(type(self).objects.filter(pk=self.pk)).values_list("light", flat=True).first() or None

    def resolve_assignments(self, info):
        return dl.loader(info, dl.AssignmentsByCase).load(self)

    def resolve_events(self, info, last=20):
        # An explicit ``last: null`` arrives as None: it means the default.
        last = max(1, min(int(last if last is not None else 20), dl.MAX_EVENTS))
        return dl.loader(info, dl.LastEventsByCase).load((self, last))

    def resolve_return_visits(self, info):
        return dl.loader(info, dl.ReturnVisitsByCase).load(self)

    def resolve_extension_requests(self, info):
        return dl.loader(info, dl.ExtensionRequestsByCase).load(self)

    def resolve_return_requests(self, info):
        return dl.loader(info, dl.ReturnRequestsByCase).load(self)

    def resolve_warnings(self, info):
        return dl.loader(info, dl.WarningsByCase).load(self)

    def resolve_supervision_notes(self, info):
        return dl.loader(info, dl.NotesByCase).load(self)

    def resolve_assessment_exclusion(self, info):
        return dl.loader(info, dl.ExclusionByCase).load(self)

    def resolve_available_actions(self, info):
        return available_actions(self, staff(info))
