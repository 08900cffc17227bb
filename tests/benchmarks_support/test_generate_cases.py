"""The benchmarks' case generator (benchmarks/generate_cases.py) writes
consistent rows in realistic proportions."""

import datetime
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from casemodels.models import Assignment, Case, CaseEvent, ReturnVisit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import generate_cases  # noqa: E402

END = datetime.datetime(2025, 11, 12, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
N = 2000


def test_cases_are_consistent_and_realistic(db):
    generated = generate_cases.generate(N, seed=7, end=END, years=1, config="synthetic")
    assert generated.config_source == "synthetic"
    check_consistency(generated)
    check_proportions(generated)


def check_consistency(generated):
    assert generated.counts["case"] == N == Case.objects.count()
    assert generated.counts["event"] == CaseEvent.objects.count()
    assert generated.counts["assignment"] == Assignment.objects.count()
    assert generated.counts["return visit"] == ReturnVisit.objects.count()
    assert generate_cases.verify(generated) == []
    # Every case has exactly one receipt event, at its receipt time.
    assert not Case.objects.annotate(n=Count("events", filter=Q(events__action="register"))).exclude(n=1).exists()
    assert not CaseEvent.objects.filter(action="register").exclude(created_at=F("case__received_at")).exists()
    # Closed cases closed after they were received; visits only on replied cases, after the reply.
    assert not Case.objects.filter(closed_at__lt=F("received_at")).exists()
    assert not ReturnVisit.objects.filter(Q(case__replied_at__isnull=True)).exists()
    assert not ReturnVisit.objects.filter(round=1, visited_at__lt=F("case__received_at")).exists()
    # Nothing happens after the end of the generated period.
    assert not CaseEvent.objects.filter(created_at__gt=END).exists()
    # Active assignments only on dispatched cases; each dispatched case has its lead.
    assert not Assignment.objects.filter(case__dispatched_at__isnull=True, state__in=["pending", "signed"]).exists()
    assert not Case.objects.filter(dispatched_at__isnull=False).exclude(assignments__role="lead").exists()
    # Merged cases point to an earlier case.
    merged = Case.objects.filter(state="merged")
    assert merged.exists()
    assert not merged.filter(Q(merged_into__isnull=True) | Q(merged_into__received_at__gt=F("received_at"))).exists()


def check_proportions(generated):
    states = dict(Case.objects.values_list("state").annotate(n=Count("pk")))
    assert states == generated.states
    done = states.get("closed", 0) + states.get("archived", 0)
    assert done / N > 0.8  # a year of cases: nearly all finished
    assert 0 < sum(states.get(s, 0) for s in ("received", "dispatched", "handling", "replied")) / N < 0.1
    for terminal in ("merged", "diverted", "invalid"):
        assert 0.005 < states.get(terminal, 0) / N < 0.06, terminal
    types = dict(Case.objects.values_list("case_type").annotate(n=Count("pk")))
    assert len(types) >= 5 and max(types.values()) / N < 0.5
    # A few items take most cases (Zipf), every channel is used.
    items = sorted(Case.objects.values_list("directory_item").annotate(n=Count("pk")).values_list("n", flat=True),
                   reverse=True)
    assert sum(items[:20]) / N > 0.3
    assert Case.objects.values("channel").distinct().count() == 10
    satisfaction = dict(ReturnVisit.objects.values_list("satisfaction").annotate(n=Count("pk")))
    visits = sum(satisfaction.values())
    assert visits > 0.5 * N and satisfaction["satisfied"] / visits > 0.6 and satisfaction["unsatisfied"] / visits < 0.2
    # More cases on weekdays than at weekends, and in daytime than at night (local time).
    local = [t.astimezone(END.tzinfo) for t in Case.objects.values_list("received_at", flat=True)]
    weekday = sum(1 for t in local if t.weekday() < 5) / 5
    weekend = sum(1 for t in local if t.weekday() >= 5) / 2
    assert weekday > 1.3 * weekend
    assert sum(1 for t in local if 9 <= t.hour < 12) > 5 * sum(1 for t in local if 1 <= t.hour < 4)


def test_same_seed_same_cases(db):
    one = generate_cases.generate(200, seed=3, end=END, years=1, config="synthetic")
    two = generate_cases.generate(200, seed=3, end=END, years=1, config="existing")
    assert two.states == one.states and two.counts == one.counts
    fields = ("state", "received_at", "citizen_phone", "directory_item", "closed_at")
    first = list(Case.objects.filter(pk__lt=two.first_case_id).order_by("pk").values_list(*fields))
    second = list(Case.objects.filter(pk__gte=two.first_case_id).order_by("pk").values_list(*fields))
    assert len(first) == 200 and second == first
