"""The demo knowledge base, warning rules and assessment schemes are valid
configuration, linked to the demo directory and units that exist, and load
idempotently."""

import pytest

from cms.demo import directory, knowledge, organisation
from snippets.models import AssessmentScheme, DirectoryItem, DutyBoundary, ReplyTemplate, Unit, WarningRule
from snippets.services.knowledge import find_templates
from snippets.services.templates import check_template

ITEM_CODES = set(directory.NAMES) | {code for code, _name, _entries in directory.CLASSES}
UNIT_CODES = {row[0] for row in organisation.DEPARTMENTS + organisation.UTILITIES}


def test_about_twenty_templates_and_eight_boundaries_all_linked_to_demo_codes():
    assert len(knowledge.TEMPLATES) >= 20 and len(knowledge.BOUNDARIES) >= 8
    for title, _type, codes, _kw, body, _basis in knowledge.TEMPLATES:
        assert set(codes.split(",")) <= ITEM_CODES, title
        check_template(body)
    for matter, lead, co, codes, *_rest in knowledge.BOUNDARIES:
        assert {lead, *filter(None, co.split(","))} <= UNIT_CODES, matter
        assert set(codes.split(",")) <= ITEM_CODES, matter


def test_rules_and_schemes_pass_their_model_checks():
    for name, kind, light, deadline, share, hours, count, days, centre, sms, supervise in knowledge.WARNING_RULES:
        WarningRule(name=name, kind=kind, light=light, deadline=deadline, share_elapsed=share, hours_before=hours,
                    threshold=count, window_days=days, by_sms=sms).clean()
    kinds = {row[1] for row in knowledge.WARNING_RULES}
    assert kinds >= {"near_due", "overdue", "repeat_caller", "unsatisfied", "extended", "returned"}
    for name, kind, weights, min_sample in knowledge.SCHEMES:
        AssessmentScheme(name=name, unit_kind=kind, weight_response=weights[0], weight_resolution=weights[1],
                         weight_satisfaction=weights[2], weight_on_time=weights[3], min_sample=min_sample).clean()
    assert {row[1] for row in knowledge.SCHEMES} == {Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP}


@pytest.mark.django_db
def test_load_twice_adds_nothing_and_links_items():
    from collections import Counter

    stats = Counter()
    organisation.load(stats)
    directory.load(stats)
    knowledge.load(stats)
    counts = [m.objects.count() for m in (ReplyTemplate, DutyBoundary, WarningRule, AssessmentScheme)]
    assert counts == [len(knowledge.TEMPLATES), len(knowledge.BOUNDARIES), len(knowledge.WARNING_RULES), 2]
    knowledge.load(Counter())
    assert [m.objects.count() for m in (ReplyTemplate, DutyBoundary, WarningRule, AssessmentScheme)] == counts
    # and the heating template is found for a cold-flat call on its item
    cold = DirectoryItem.objects.get(code="C1101")
    assert find_templates("家里暖气不热，室温才15度", directory_item=cold)[0].title == "暖气不热·室温标准答复"
