"""Generated demo cases, carried out through the lifecycle services.

Every case is registered with ``register_case`` and moved along with the
other services in ``casemodels.services``, acting as the demo staff (the
centre's dispatchers, return visitor and supervisor, and the handlers and
leaders of the units), so every event in the dossier is genuine. Receipt
times spread over the last two months (``received_at``); the later events
carry the time the demo was loaded.

Idempotency: case ``i`` carries the external id ``demo-000i`` in its
channel. A case that already exists is skipped with all its further steps;
each case is carried out in its own savepoint, all or nothing."""

import time
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from casemodels import services
from casemodels.models import Assignment, Case, CaseState, Satisfaction, VisitMethod
from casemodels.services import CaseActionError
from snippets.models import Role, StaffProfile, Unit

from . import case_texts as texts
from .case_plan import build, external_id
from .directory import ROUTES
from .organisation import CENTRE, DEPARTMENTS

R = Role.Code
S = Assignment.State
LEAD, CO = Assignment.Role.LEAD, Assignment.Role.CO
MERGEABLE = (CaseState.RECEIVED, CaseState.DISPATCHED, CaseState.HANDLING, CaseState.REPLIED)
BATCH = 50

_DONE = ["dispatch", "sign", "reply", "visit_good"]
STEPS = {
    "received": [], "received_info": ["ask_info"],
    "answered": ["answer"], "answered_visit": ["answer_open", "visit_good"],
    "dispatched": ["dispatch"], "handling": ["dispatch", "sign"],
    "handling_ext_pending": ["dispatch", "sign", "ask_extension"],
    "handling_ext_approved": ["dispatch", "sign", "ask_extension", "approve_extension"],
    "handling_return_pending": ["dispatch_wrong", "ask_return"],
    "handling_consult": ["dispatch", "sign", "consult"],
    "handling_info": ["dispatch", "sign", "handler_ask_info"],
    "handling_info_resumed": ["dispatch", "sign", "handler_ask_info", "resume"],
    "sub_handling": ["dispatch", "sign", "sub_dispatch", "sign"],
    "replied": ["dispatch", "sign", "reply"],
    "replied_sub": ["dispatch", "sign", "sub_dispatch", "sign", "reply"],
    "town_whistle": ["dispatch_self", "sign", "whistle", "sign", "sub_dispatch_sector", "sign", "reply"],
    "town_whistle_closed": ["dispatch_self", "sign", "whistle", "sign", "sub_dispatch_sector", "sign", "reply",
                            "visit_good"],
    "grid_whistle": ["dispatch_self", "sign", "whistle", "sign", "reply", "visit_good"],
    "grid_whistle_open": ["dispatch_self", "sign", "whistle"],
    "closed": _DONE,
    "closed_ext": ["dispatch", "sign", "ask_extension", "review_extension", "reply", "visit_good"],
    "closed_return": ["dispatch_wrong", "ask_return", "approve_return", *_DONE],
    "closed_return_rejected": ["dispatch", "sign", "ask_return", "reject_return", "reply", "visit_good"],
    "closed_whistle": ["dispatch", "sign", "sub_dispatch", "sign", "whistle", "reply", "visit_good"],
    "closed_consult": ["dispatch", "sign", "consult", "reply", "visit_good"],
    "closed_second_round": ["dispatch", "sign", "reply", "visit_bad", "sign", "reply_again", "visit_good"],
    "round2_dispatched": ["dispatch", "sign", "reply", "visit_bad"],
    "round2_handling": ["dispatch", "sign", "reply", "visit_bad", "sign"],
    "closed_unsat": ["dispatch", "sign", "reply", "visit_bad_final", "close_unsatisfied"],
    "archived": [*_DONE, "archive"],
    "archived_sub": ["dispatch", "sign", "sub_dispatch", "sign", "reply", "visit_good", "archive"],
    "archived_second_round": ["dispatch", "sign", "reply", "visit_bad", "sign", "reply_again", "visit_good",
                              "archive"],
    "archived_answered": ["answer", "archive"],
    "merged": ["merge"], "diverted": ["divert"], "invalid": ["mark_invalid"],
}


class MissingStaff(Exception):
    """No demo account can act for a unit (e.g. an administrator removed it)."""


class Cast:
    """The demo staff with logins, by unit and role."""

    def __init__(self):
        self.by_unit = defaultdict(dict)
        profiles = (
            StaffProfile.objects.filter(user__isnull=False, is_active=True, user__is_active=True)
            .select_related("user", "unit").prefetch_related("roles").order_by("id")
        )
        for profile in profiles:
            for role in profile.roles.all():
                self.by_unit[profile.unit_id].setdefault(role.code, []).append(profile.user)
        self.units = {u.code: u for u in Unit.objects.filter(level__lte=3)}
        centre = self.by_unit[self.units[CENTRE[0]].pk]
        self.dispatchers = centre.get(R.DISPATCHER, [])
        if not self.dispatchers:
            raise MissingStaff("No dispatcher works at the centre; the demo cases need one.")
        self.visitors = centre.get(R.VISITOR) or self.dispatchers
        self.supervisors = centre.get(R.SUPERVISOR) or self.dispatchers

    def first(self, unit, *roles):
        for role in roles:
            users = self.by_unit[unit.pk].get(role)
            if users:
                return users[0]
        raise MissingStaff(f"No demo account with a role {roles} at {unit}.")

    def handler(self, unit):
        return self.first(unit, R.HANDLER, R.UNIT_LEADER)

    def signer(self, unit):
        return self.first(unit, R.HANDLER, R.DISPATCHER, R.UNIT_LEADER)

    def leader(self, unit):
        return self.first(unit, R.UNIT_LEADER, R.HANDLER)

    def dispatcher_of(self, unit):
        return self.first(unit, R.DISPATCHER, R.UNIT_LEADER, R.HANDLER)


class Script:
    """Carries one case's plan out, step by step."""

    def __init__(self, spec, cast):
        self.spec, self.cast = spec, cast
        self.rng = spec.rng("run")
        self.dispatcher = self.rng.choice(cast.dispatchers)
        self.case, self.step, self.co_signed = None, "register", False

    def run(self):
        self.case = self.register()
        for step in STEPS[self.spec.path]:
            self.step = step
            getattr(self, step)()
        return self.case

    # --- helpers ----------------------------------------------------------------------
    def lead(self, *states):
        return (
            self.case.assignments.filter(role=LEAD, state__in=states or Assignment.ACTIVE_STATES)
            .select_related("unit").order_by("-id").first()
        )

    def unit(self, code):
        return self.cast.units.get(code) or Unit.objects.get(code=code)

    def refresh(self):
        self.case = Case.objects.get(pk=self.case.pk)

    def right_unit_name(self):
        route = ROUTES.get(self.spec.item)
        return self.unit(route).name if route and route != "T" else "属地乡镇（街道）"

    # --- intake -------------------------------------------------------------------------
    def register(self):
        spec = self.spec
        if spec.channel == "whistle":
            user = self.cast.dispatcher_of(self.unit(spec.township))
        elif spec.channel == "grid-events":
            user = self.cast.dispatcher_of(Unit.objects.get(code=spec.village))
        else:
            user = None if spec.public else self.dispatcher
        return services.register_case(
            acting_user=user, channel=spec.channel, case_type=spec.case_type, title=spec.title,
            content=spec.content, citizen_name=spec.citizen_name, citizen_phone=spec.citizen_phone,
            address=spec.address, region=spec.region, directory_item=spec.item, external_id=spec.external_id,
            is_anonymous=spec.anonymous, is_confidential=spec.confidential, received_at=spec.received_at,
            auto_dispatch=False,  # each demo case follows its scripted path
        )

    def ask_info(self):
        self.case = services.request_info(self.case, acting_user=self.dispatcher,
                                          missing=self.rng.choice(texts.MISSING_INFO))

    def answer(self, close=True):
        self.case = services.answer_on_the_spot(self.case, acting_user=self.dispatcher, answer=self.spec.reply,
                                                close=close)

    def answer_open(self):
        self.answer(close=False)

    def merge(self):
        primary = Case.objects.filter(external_id=self.spec.primary).first()
        if primary is None or primary.state not in MERGEABLE:
            return self.dispatch()  # the primary has moved on: handle this one on its own
        services.merge_cases(primary, [self.case], acting_user=self.dispatcher,
                             note="同一事项多渠道反映，并入主工单统一办理、统一答复。")
        self.refresh()

    def divert(self):
        self.case = services.divert_case(self.case, acting_user=self.dispatcher, route=self.spec.extra["route"],
                                         note=self.spec.extra["note"])

    def mark_invalid(self):
        self.case = services.mark_invalid(self.case, acting_user=self.dispatcher, reason=self.spec.extra["reason"])

    # --- moving between units ---------------------------------------------------------------
    def dispatch(self):
        self.case = services.dispatch_case(self.case, acting_user=self.dispatcher)

    def dispatch_wrong(self):
        right = ROUTES[self.spec.item]
        wrong = self.rng.choice([code for code, _name, _phone in DEPARTMENTS if code != right])
        self.case = services.dispatch_case(self.case, acting_user=self.dispatcher, unit=self.unit(wrong))

    def dispatch_self(self):
        owner = self.case.owner_unit
        self.case = services.dispatch_case(self.case, acting_user=self.cast.dispatcher_of(owner), unit=owner,
                                           note="本级平台先行处置。")

    def sign(self):
        lead = self.lead(S.PENDING)
        self.case = services.sign_case(self.case, acting_user=self.cast.signer(lead.unit))
        if not self.co_signed:
            self.co_signed = True
            for co in self.case.assignments.filter(role=CO, state=S.PENDING).select_related("unit"):
                if self.rng.random() < 0.7:
                    self.case = services.sign_case(self.case, acting_user=self.cast.signer(co.unit))

    def sub_dispatch(self):
        lead = self.lead(S.SIGNED)
        self.case = services.sub_dispatch_case(
            self.case, acting_user=self.cast.dispatcher_of(lead.unit), unit=self.unit(self.spec.village),
            note=self.rng.choice(texts.SUB_DISPATCH_NOTES),
        )

    def sub_dispatch_sector(self):
        lead = self.lead(S.SIGNED)
        self.case = services.sub_dispatch_case(
            self.case, acting_user=self.cast.dispatcher_of(lead.unit), unit=self.unit(ROUTES[self.spec.item]),
            note="街乡吹哨、部门报到：请按职责处置。",
        )

    def whistle(self):
        lead = self.lead(S.PENDING, S.SIGNED)
        reasons = texts.WHISTLE_TO_TOWNSHIP if lead.unit.kind == Unit.Kind.COMMUNITY else texts.WHISTLE_TO_CITY
        self.case = services.escalate_case(
            self.case, acting_user=self.cast.first(lead.unit, R.HANDLER, R.UNIT_LEADER, R.DISPATCHER),
            reason=self.rng.choice(reasons),
        )

    def ask_return(self):
        lead = self.lead(S.PENDING, S.SIGNED)
        self.case = services.request_return(
            self.case, acting_user=self.cast.handler(lead.unit),
            reason=texts.RETURN_REASON.format(right=self.right_unit_name()),
        )

    def approve_return(self):
        self.case = services.review_return(self.case, acting_user=self.dispatcher, approve=True,
                                           note=texts.RETURN_APPROVAL.format(right=self.right_unit_name()))

    def reject_return(self):
        self.case = services.review_return(self.case, acting_user=self.dispatcher, approve=False,
                                           note=texts.RETURN_REJECTION)

    # --- handling ---------------------------------------------------------------------------
    def ask_extension(self):
        lead = self.lead(S.SIGNED)
        self.case = services.request_extension(
            self.case, acting_user=self.cast.leader(lead.unit), working_days=self.rng.choice((3, 5, 5, 7, 10)),
            reason=self.rng.choice(texts.EXTENSION_REASONS),
        )

    def approve_extension(self):
        self.case = services.review_extension(self.case, acting_user=self.dispatcher, approve=True)

    def review_extension(self):
        if self.rng.random() < 0.7:
            return self.approve_extension()
        self.case = services.review_extension(self.case, acting_user=self.dispatcher, approve=False,
                                              note=self.rng.choice(texts.EXTENSION_REJECTIONS))

    def consult(self):
        lead = self.lead(S.PENDING, S.SIGNED)
        others = [a.unit for a in self.case.assignments.filter(role=CO).select_related("unit")]
        if not others:
            code = self.rng.choice([c for c, _n, _p in DEPARTMENTS if c != lead.unit.code])
            others = [self.unit(code)]
        # 高平: level 3 across departments, level 2 where duties are unclear or a whistle failed,
        # level 1 (leadership) for major and complex matters.
        draw = self.rng.random()
        if self.spec.item == "C3303" or draw < 0.15:
            level = 1
        elif ROUTES.get(self.spec.item) == "T" or draw < 0.4:
            level = 2
        else:
            level = 3
        services.hold_consultation(
            self.case, acting_user=self.rng.choice(self.cast.supervisors), level=level, units=[lead.unit, *others],
            topic=texts.CONSULT_TOPIC.format(title=self.case.title),
            conclusion=texts.CONSULT_CONCLUSION.format(lead=lead.unit.name, others="、".join(u.name for u in others),
                                                       days=self.rng.choice((3, 5))),
        )
        self.refresh()

    def handler_ask_info(self):
        lead = self.lead(S.SIGNED)
        self.case = services.request_info(self.case, acting_user=self.cast.handler(lead.unit),
                                          missing=self.rng.choice(texts.MISSING_INFO))

    def resume(self):
        lead = self.lead(S.SIGNED)
        info = self.rng.choice(texts.SUPPLEMENTS).format(place=self.spec.extra["place"], n=self.rng.randint(1, 9))
        self.case = services.resume_case(self.case, acting_user=self.cast.handler(lead.unit), information=info)

    def reply(self, again=False):
        lead = self.lead(S.SIGNED)
        text = self.spec.reply.replace("{unit}", lead.unit.name)
        if again:
            text = texts.SECOND_ROUND_REPLY.format(unit=lead.unit.name, reply=text)
        self.case = services.reply_case(self.case, acting_user=self.cast.handler(lead.unit), reply=text)

    def reply_again(self):
        self.reply(again=True)

    # --- return visit, close, archive ---------------------------------------------------------
    def visit(self, satisfaction, resolved, notes, redispatch=True):
        method = self.rng.choices(VisitMethod.values, weights=(8, 1, 2, 1))[0]
        self.case = services.record_return_visit(
            self.case, acting_user=self.rng.choice(self.cast.visitors), satisfaction=satisfaction, resolved=resolved,
            method=method, note=self.rng.choice(notes), redispatch=redispatch,
        )

    def visit_good(self):
        if self.rng.random() < 0.75:
            self.visit(Satisfaction.SATISFIED, True, texts.VISIT_GOOD)
        else:
            self.visit(Satisfaction.BASICALLY_SATISFIED, True, texts.VISIT_BASIC)

    def visit_bad(self, redispatch=True):
        satisfaction = Satisfaction.UNSATISFIED if self.rng.random() < 0.8 else Satisfaction.BASICALLY_SATISFIED
        self.visit(satisfaction, False, texts.VISIT_BAD, redispatch=redispatch)

    def visit_bad_final(self):
        self.visit_bad(redispatch=False)

    def close_unsatisfied(self):
        self.case = services.close_case(self.case, acting_user=self.dispatcher, note=texts.CLOSE_UNSATISFIED)

    def archive(self):
        self.case = services.archive_case(self.case, acting_user=self.dispatcher)


def load(count, *, progress=None):
    """Create demo cases 1..count that do not exist yet.
    Returns (created, skipped, failures); a failure is (index, path, step, error)."""
    cast = Cast()
    now = timezone.now()
    existing = set(Case.objects.filter(external_id__startswith="demo-").values_list("external_id", flat=True))
    created = skipped = 0
    failures = []
    started = time.monotonic()
    for first in range(1, count + 1, BATCH):
        last = min(first + BATCH - 1, count)
        with transaction.atomic():  # one write transaction per batch: much faster on SQLite
            for index in range(first, last + 1):
                if external_id(index) in existing:
                    skipped += 1
                    continue
                script = Script(build(index, now), cast)
                try:
                    with transaction.atomic():  # a savepoint: the whole case or nothing
                        script.run()
                except (CaseActionError, MissingStaff) as exc:
                    failures.append((index, script.spec.path, script.step, exc))
                    continue
                created += 1
        if progress:
            progress(f"  cases {last}/{count}: {created} created, {skipped} already there "
                     f"({time.monotonic() - started:.1f}s)")
    return created, skipped, failures
