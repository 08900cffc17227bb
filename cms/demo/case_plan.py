"""The plan of the demo cases: for case number ``i`` (1-based), what it is
about, who reported it through which channel, where, when, and which path
through the lifecycle it takes.

The plan is a pure function of ``i`` (each case draws from its own
``random.Random`` seeded with a fixed string), so a re-run, or a run asking
for more cases, plans the same case ``i`` the same way. Nothing here touches
the database; ``cases.py`` carries the plan out through the services."""

import datetime
import random
from dataclasses import dataclass, field, replace

from . import case_texts as texts
from .directory import ROUTES, TYPES, items
from .names import mobile, person_name
from .organisation import DEPARTMENTS, GRIDS_PER_VILLAGE, STREETS, TOWNSHIPS, grid_code, village_code

SEED = "minsheng-demo-cases"

# Paths through the lifecycle, and how many of every 300 cases take each.
PATH_WEIGHTS = [
    ("received", 12), ("received_info", 4), ("answered", 14), ("answered_visit", 5), ("dispatched", 18),
    ("handling", 15), ("handling_ext_pending", 4), ("handling_ext_approved", 4), ("handling_return_pending", 4),
    ("handling_consult", 4), ("handling_info", 3), ("handling_info_resumed", 2), ("sub_handling", 8),
    ("replied", 18), ("replied_sub", 6), ("town_whistle", 5), ("town_whistle_closed", 4), ("grid_whistle", 7),
    ("grid_whistle_open", 3), ("closed", 38), ("closed_ext", 6), ("closed_return", 6), ("closed_return_rejected", 4),
    ("closed_whistle", 5), ("closed_consult", 4), ("closed_second_round", 8), ("round2_dispatched", 4),
    ("round2_handling", 2), ("closed_unsat", 5), ("archived", 33), ("archived_sub", 8), ("archived_second_round", 5),
    ("archived_answered", 6), ("merged", 10), ("diverted", 8), ("invalid", 8),
]
# Paths whose case is still open afterwards and may absorb a duplicate (并单).
MERGE_PRIMARY_PATHS = {
    "received", "dispatched", "handling", "handling_ext_pending", "handling_ext_approved", "handling_consult",
    "sub_handling", "replied", "replied_sub", "round2_dispatched",
}
TERRITORIAL_PATHS = {"sub_handling", "replied_sub", "closed_whistle", "archived_sub"}
SECTOR_PATHS = {"handling_return_pending", "closed_return", "town_whistle", "town_whistle_closed"}
CONSULTATION_PATHS = {"answered", "answered_visit", "archived_answered"}
# How long ago (days) a case on this path was received: open cases are recent.
AGES = {
    "received": (0.02, 1.0), "received_info": (0.2, 2), "dispatched": (0.05, 2), "grid_whistle_open": (0.05, 2),
    "handling_return_pending": (0.3, 3), "replied": (1, 10), "replied_sub": (1, 10), "town_whistle": (1, 8),
    "round2_dispatched": (3, 15), "round2_handling": (3, 15), "diverted": (1, 50), "invalid": (1, 50),
}
AGE_BY_PREFIX = (("handling", (0.3, 8)), ("sub_", (0.3, 8)), ("archived", (20, 60)), ("closed", (3, 45)),
                 ("answered", (1, 40)), ("town_whistle", (3, 40)), ("grid_whistle", (3, 40)))

PUBLIC_CHANNELS = {"web", "mini-program"}
GENERAL_CHANNELS = [
    ("jincheng-12345", 30), ("gaoxiaoban", 14), ("hotline-12345", 8), ("web", 8), ("mini-program", 6),
    ("people-leader-board", 6), ("mayor-mailbox", 5), ("gov-miniprogram", 5), ("media-helpers", 3),
    ("mediation", 2), ("cyberspace", 2), ("letters-visits", 2), ("police-110", 1), ("higher-assignment", 2),
    ("onsite-meeting", 1), ("internet-inspection", 1), ("npc-deputy-online", 1), ("visit-ledger", 2),
    ("wenzheng", 1), ("service-hall", 1),
]
ENTERPRISE_CHANNELS = [("enterprise", 5), ("enterprise-visit", 3), ("onsite-meeting", 2), ("jincheng-12345", 2)]
SUGGESTION_CHANNELS = [("npc-motion", 2), ("cppcc-proposal", 2), ("npc-cppcc-city", 1), ("mayor-mailbox", 3),
                       ("gaoxiaoban", 3), ("web", 2)]
CONSULTATION_CHANNELS = [("hotline-12345", 4), ("jincheng-12345", 5), ("gaoxiaoban", 3), ("web", 2),
                         ("mini-program", 2), ("service-hall", 1)]
RURAL_ROADS = ("207国道高平段", "村东大街", "村中主街", "通村公路", "镇区主街")
GROUPS = "一二三四五六"
SUGGESTION_ITEMS = {"C0104", "C0404", "C1201", "C4301"}
# Requests about flats and compounds happen in town; those about villages and fields in the country.
URBAN_ITEMS = {"C0102", "C0104", "C0203", "C0301", "C0303", "C0305", "C0501", "C0503", "C0601", "C0602", "C0603",
               "C0604", "C0701", "C0704", "C0802", "C1001", "C1101", "C1301", "C1302", "C1401", "C3101", "C3102",
               "C4004"}
RURAL_ITEMS = {"C0105", "C0404", "C1203", "C2104", "C2203", "C2303", "C2403", "C4001"}


@dataclass
class Spec:
    index: int
    path: str
    kind: str  # request | consultation | diversion | invalid
    item: str | None
    case_type: str
    title: str
    content: str
    reply: str  # may still hold {unit}
    channel: str
    township: str
    village: str
    region: str
    address: str
    citizen_name: str
    citizen_phone: str
    anonymous: bool
    confidential: bool
    received_at: datetime.datetime
    primary: str | None = None  # for a merged case: the primary's external id
    extra: dict = field(default_factory=dict)

    @property
    def external_id(self):
        return external_id(self.index)

    @property
    def public(self):
        return self.channel in PUBLIC_CHANNELS

    def rng(self, purpose):
        """A generator for choices made while carrying the plan out."""
        return random.Random(f"{SEED}-{self.index}-{purpose}")


def external_id(index):
    return f"demo-{index:04d}"


def weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


_DECKS = {}


def path_for(index):
    """The lifecycle path of case ``index``: a shuffled deck of the weights, dealt in order."""
    size = sum(w for _, w in PATH_WEIGHTS)
    cycle, position = divmod(index - 1, size)
    if cycle not in _DECKS:
        deck = [path for path, weight in PATH_WEIGHTS for _ in range(weight)]
        random.Random(f"{SEED}-deck-{cycle}").shuffle(deck)
        _DECKS[cycle] = deck
    return _DECKS[cycle][position]


def merge_primary(index):
    """The nearest earlier case that stays open: the same matter arrives again."""
    for j in range(index - 1, max(0, index - 20), -1):
        if path_for(j) in MERGE_PRIMARY_PATHS:
            return j
    return None


def choose_template(path, rng):
    if path in CONSULTATION_PATHS:
        return "consultation", rng.choice(texts.CONSULTATIONS)
    if path == "diverted":
        return "diversion", rng.choice(texts.DIVERSIONS)
    if path == "invalid":
        return "invalid", rng.choice(texts.INVALID)
    requests = texts.REQUESTS
    if path in TERRITORIAL_PATHS:
        requests = [t for t in requests if ROUTES[t[0]] == "T"]
    elif path in SECTOR_PATHS:
        requests = [t for t in requests if ROUTES[t[0]] != "T"]
    elif rng.random() < 0.15:
        return "consultation", rng.choice(texts.CONSULTATIONS)
    return "request", rng.choice(requests)


def choose_channel(path, kind, item, rng):
    if path in ("town_whistle", "town_whistle_closed"):
        return "whistle"
    if path in ("grid_whistle", "grid_whistle_open"):
        return "grid-events"
    if kind == "consultation":
        return weighted(rng, CONSULTATION_CHANNELS)
    if item and item.startswith("C33"):
        return weighted(rng, ENTERPRISE_CHANNELS)
    if item in SUGGESTION_ITEMS and rng.random() < 0.5:
        return weighted(rng, SUGGESTION_CHANNELS)
    return weighted(rng, GENERAL_CHANNELS)


def choose_place(rng, urban_bias=0.5, item=None):
    """A township, a village below it, the region code (village or grid) and an address."""
    urban = item in URBAN_ITEMS or (item not in RURAL_ITEMS and rng.random() < urban_bias)
    tcode, tname, _aliases, villages = rng.choice([t for t in TOWNSHIPS if (t[0] in STREETS) == urban])
    if item in URBAN_ITEMS or item in RURAL_ITEMS:
        villages = [v for v in villages if v[1].endswith("社区") == urban] or villages
    vslug, vname = rng.choice(villages)
    vcode = village_code(tcode, vslug)
    region = grid_code(vcode, rng.randint(1, GRIDS_PER_VILLAGE)) if rng.random() < 0.6 else vcode
    building = rng.randint(1, 18)
    if vname.endswith("社区"):
        place, road = rng.choice(texts.COMPOUNDS), rng.choice(texts.ROADS)
        address = f"高平市{tname}{vname}{road}{rng.randint(1, 280)}号{place}{building}号楼"
    else:
        place, road = vname, rng.choice(RURAL_ROADS)
        address = f"高平市{tname}{vname}{rng.choice(GROUPS)}组"
    return tcode, vcode, region, address, place, road, building


def received_at(path, rng, now):
    low, high = AGES.get(path) or next((r for p, r in AGE_BY_PREFIX if path.startswith(p)), (1, 30))
    when = now - datetime.timedelta(days=rng.uniform(low, high))
    return min(when, now - datetime.timedelta(minutes=10))


def build(index, now):
    """The plan of case ``index``; ``now`` anchors the receipt times."""
    rng = random.Random(f"{SEED}-{index}")
    path = path_for(index)
    if path == "merged":
        primary = merge_primary(index)
        if primary is not None:
            return merged_spec(index, build(primary, now), rng, now)
        path = "dispatched"
    kind, template = choose_template(path, rng)
    item = template[0] if kind in ("request", "consultation") else None
    urban_bias = 0.3 if path.startswith("grid") else 0.55
    tcode, vcode, region, address, place, road, building = choose_place(rng, urban_bias, item)
    fill = {
        "place": place, "bldg": building, "road": road, "n": rng.randint(2, 6), "days": rng.randint(3, 20),
        "money": rng.choice((1800, 3500, 6200, 12000, 28600, 46000)), "shop": rng.choice(texts.SHOPS),
        "company": rng.choice(texts.COMPANIES), "school": rng.choice(texts.SCHOOLS),
        "dept": rng.choice(DEPARTMENTS)[1], "unit": "{unit}",
    }
    extra = {}
    if kind == "diversion":
        route, item, title, content, note = template
        item, reply, extra = item or None, "", {"route": route, "note": note}
    elif kind == "invalid":
        title, content, reason = template
        item, reply, extra = None, "", {"reason": reason}
    else:
        item, title, content, reply = template
    extra["place"] = place
    case_type = _case_type(kind, item)
    anonymous = kind != "invalid" and rng.random() < 0.05
    name, phone = person_name(rng), mobile(rng)
    channel = choose_channel(path, kind, item, rng)
    return Spec(
        index=index, path=path, kind=kind, item=item, case_type=case_type,
        title=title.format_map(fill)[:200], content=content.format_map(fill), reply=reply.format_map(fill),
        channel=channel, township=tcode, village=vcode, region=region, address=address,
        citizen_name="" if anonymous else name, citizen_phone="" if anonymous else phone, anonymous=anonymous,
        confidential=case_type == "report" and rng.random() < 0.4, received_at=received_at(path, rng, now),
        extra=extra,
    )


DEFAULT_TYPES = {code: case_type for code, _cls, _name, _route, _keywords, case_type, *_rest in items()}


def _case_type(kind, item):
    if kind == "consultation":
        return TYPES["zx"]
    if kind == "invalid":
        return TYPES["qz"]
    return TYPES[DEFAULT_TYPES[item]] if item else TYPES["ts"]


def merged_spec(index, primary, rng, now):
    """The same matter as ``primary``, from another citizen through another channel, a little later."""
    channel = primary.channel
    while channel == primary.channel:
        channel = weighted(rng, GENERAL_CHANNELS)
    later = primary.received_at + datetime.timedelta(hours=rng.uniform(1, 30))
    return replace(
        primary, index=index, path="merged", channel=channel, primary=primary.external_id,
        citizen_name=person_name(rng), citizen_phone=mobile(rng), anonymous=False,
        content=f"{primary.content}（同一问题已有其他人反映，希望尽快处理。）",
        received_at=min(later, now - datetime.timedelta(minutes=5)),
    )
