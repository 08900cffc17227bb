"""Duplicates (casemodels.services.duplicates.similar_cases) by each of its
three signals and their windows, merged signals, what is left out, limit
and order; the content fingerprints behind the text signal (registration,
historical import, the daily refresh); merged duplicates as repeats."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import translation

from casemodels.models import CaseFingerprint
from casemodels.services import fingerprints, mark_invalid, merge_cases
from casemodels.services.duplicates import similar_cases
from casemodels.services.history import import_historical_case
from casemodels.services.sweep import sweep
from casemodels.services.text import bigrams, overlap
from snippets.models import Role, WarningRule
from tests.factories import DirectoryItemFactory, WarningRuleFactory

from .conftest import START, local
from .test_sweep import warned

# A report, a near-identical one (Dice 0.89, 11 of 16 bands shared), one on the
# same topic that is not near-identical (Dice 0.4, yet it shares a band: a
# candidate the exact comparison turns away), and an unrelated one.
REPORT = "米西村口路灯坏了三天了，晚上很黑，请尽快修复。"
NEAR = "米西村口的路灯坏了三天了，晚上很黑，请尽快修。"
TOPIC = "米西村口的路灯坏了，晚上出门很不方便，请派人来修。"
OTHER = "公积金提取需要带哪些材料，在哪里办理？"
PHONE = "13900001111"


def dice(a, b):
    return overlap(bigrams(a), bigrams(b))


def found(results):
    return [r["case"] for r in results]


def days(n):
    return datetime.timedelta(days=n)


def test_the_same_phone_scores_1_and_names_the_window(world, flow):
    case = flow.received(citizen_phone=PHONE, content=OTHER)
    with translation.override("en"):
        [result] = similar_cases(world.dispatcher, REPORT, "+86 139 0000 1111")
    assert result["case"] == case and result["score"] == 1.0
    assert result["reason"] == "same phone in the last 30 days"


def test_a_user_who_sees_phones_masked_cannot_confirm_one_but_finds_the_text(world, flow):
    # given return visitors, whose role does not see personal data (the API test covers confidential cases)
    case = flow.received(citizen_phone=PHONE, content=REPORT)
    Role.objects.filter(code="visitor").update(sees_personal_data=False)
    # when they look for the phone, then nothing comes back; the text still finds the case they may see
    assert similar_cases(world.visitor, "", PHONE) == []
    assert found(similar_cases(world.visitor, NEAR, PHONE)) == [case]
    assert "phone" not in similar_cases(world.visitor, NEAR, PHONE)[0]["reason"]


def test_the_same_item_and_region_within_30_days(world, flow, clock):
    item = DirectoryItemFactory(name="路灯不亮")
    other_item = DirectoryItemFactory(name="垃圾清运")
    old = flow.received(directory_item=item, region=world.village_a_r, citizen_phone="13900000001", content=OTHER)
    clock.move_to(START + days(31))
    same = flow.received(directory_item=item, region=world.village_a_r, citizen_phone="13900000002", content=REPORT)
    flow.received(directory_item=item, region=world.village_b_r, citizen_phone="13900000003", content=REPORT)
    flow.received(directory_item=other_item, region=world.village_a_r, citizen_phone="13900000004", content=REPORT)

    with translation.override("en"):
        results = similar_cases(world.dispatcher, TOPIC, directory_item=item, region=world.village_a_r)

    # then only the case of that item and region within the window: 0.5 and half the text overlap
    assert found(results) == [same] and old not in found(results)
    assert 0.5 < results[0]["score"] < 1
    assert results[0]["score"] == round(0.5 + dice(TOPIC, REPORT) / 2, 3)
    assert results[0]["reason"] == "same matter (路灯不亮) at the same place (米西村) in the last 30 days"


def test_the_place_signal_needs_both_item_and_region(world, flow):
    item = DirectoryItemFactory(name="路灯不亮")
    flow.received(directory_item=item, region=world.village_a_r, citizen_phone="13900000002", content=OTHER)
    assert similar_cases(world.dispatcher, TOPIC, directory_item=item) == []
    assert similar_cases(world.dispatcher, TOPIC, region=world.village_a_r) == []


def test_near_identical_text_from_another_channel_within_7_days(world, flow, clock):
    # given a public web submission, a topic-sharing one and an unrelated one
    near = flow.received(acting_user=None, channel=world.web, citizen_phone="13900000001", content=NEAR)
    topic = flow.received(acting_user=None, channel=world.web, citizen_phone="13900000002", content=TOPIC)
    flow.received(acting_user=None, channel=world.web, citizen_phone="13900000003", content=OTHER)
    assert set(fingerprints.signature_bands(TOPIC)) & set(fingerprints.signature_bands(REPORT))  # a candidate

    # when the hotline registers the same report six days later
    clock.move_to(START + days(6))
    with translation.override("en"):
        results = similar_cases(world.dispatcher, REPORT, "13900000009")

    # then the web case is found with its share; the topic-sharing one is not
    share = dice(REPORT, NEAR)
    assert found(results) == [near] and topic not in found(results)
    assert results[0]["score"] == round(share, 3) >= 0.6
    assert results[0]["reason"] == f"similar text ({round(share * 100)}%) in the last 7 days"

    # and after seven days it is no longer offered
    clock.move_to(START + days(7) + datetime.timedelta(minutes=1))
    assert similar_cases(world.dispatcher, REPORT, "13900000009") == []


def test_a_case_found_by_several_signals_appears_once_with_the_highest_score_and_every_reason(world, flow):
    item = DirectoryItemFactory(name="路灯不亮")
    case = flow.received(directory_item=item, region=world.village_a_r, citizen_phone=PHONE, content=NEAR)
    share = dice(REPORT, NEAR)

    # by place and text: the place's score (0.5 + share / 2) is above the text's (share)
    with translation.override("en"):
        [result] = similar_cases(world.dispatcher, REPORT, directory_item=item, region=world.village_a_r)
    assert result["case"] == case
    assert result["score"] == round(0.5 + share / 2, 3) > round(share, 3)
    assert result["reason"].split("；") == [
        "same matter (路灯不亮) at the same place (米西村) in the last 30 days",
        f"similar text ({round(share * 100)}%) in the last 7 days",
    ]

    # by all three: the phone's 1
    with translation.override("en"):
        [result] = similar_cases(world.dispatcher, REPORT, PHONE, directory_item=item, region=world.village_a_r)
    assert result["score"] == 1.0 and len(result["reason"].split("；")) == 3
    assert result["reason"].startswith("same phone")


def test_merged_invalid_and_excluded_cases_are_not_offered(world, flow):
    primary = flow.received(citizen_phone=PHONE, content=REPORT)
    duplicate = flow.received(citizen_phone=PHONE, content=NEAR)
    spam = flow.received(citizen_phone=PHONE, content=OTHER)
    merge_cases(primary, [duplicate], acting_user=world.dispatcher)
    mark_invalid(spam, acting_user=world.dispatcher, reason="骚扰电话")

    assert found(similar_cases(world.dispatcher, REPORT, PHONE)) == [primary]
    assert similar_cases(world.dispatcher, REPORT, PHONE, exclude=primary) == []
    assert similar_cases(world.dispatcher, REPORT, PHONE, exclude=primary.pk) == []


def test_results_come_best_first_and_limit_applies(world, flow, clock):
    item = DirectoryItemFactory(name="路灯不亮")
    phones = []
    for n in range(3):
        phones.append(flow.received(citizen_phone=PHONE, content=f"第{n}次来电，{OTHER}"))
        clock.shift(datetime.timedelta(minutes=1))
    text = flow.received(citizen_phone="13900000002", content=NEAR)
    place = flow.received(directory_item=item, region=world.village_a_r, citizen_phone="13900000003", content=TOPIC)

    results = similar_cases(world.dispatcher, REPORT, PHONE, directory_item=item, region=world.village_a_r)

    # then the phone matches (1, the latest first), the text (0.89), the place (0.7)
    assert found(results) == [*reversed(phones), text, place]
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0 > scores[3] > scores[4] > 0.5
    limited = similar_cases(world.dispatcher, REPORT, PHONE, directory_item=item, region=world.village_a_r, limit=4)
    assert found(limited) == [*reversed(phones), text]
    assert found(similar_cases(world.dispatcher, REPORT, PHONE, limit=2)) == [phones[2], phones[1]]


# --- Fingerprints ---------------------------------------------------------------------------------
def test_a_registered_case_has_its_bands_and_a_short_text_none(world, flow):
    case = flow.received(content=REPORT)
    rows = CaseFingerprint.objects.filter(case=case)
    assert 1 <= rows.count() <= fingerprints.BANDS
    assert set(rows.values_list("band", flat=True)) == set(fingerprints.signature_bands(REPORT))
    assert set(rows.values_list("received_at", flat=True)) == {case.received_at}

    short = flow.received(content="路灯坏")  # two character pairs
    assert fingerprints.signature_bands("路灯坏") == []
    assert not CaseFingerprint.objects.filter(case=short).exists()
    assert similar_cases(world.dispatcher, "路灯坏") == []


def test_near_identical_texts_share_bands_and_unrelated_ones_none():
    report = fingerprints.signature_bands(REPORT)
    assert len(report) == fingerprints.BANDS
    assert all(0 < band < 2**63 for band in report)
    assert fingerprints.signature_bands(REPORT) == report  # stable: stored fingerprints stay comparable
    assert set(report) & set(fingerprints.signature_bands(NEAR))
    assert not set(report) & set(fingerprints.signature_bands(OTHER))


def test_candidates_are_the_cases_sharing_a_band_within_the_window(world, flow, clock):
    near = flow.received(content=NEAR)
    flow.received(content=OTHER)
    assert fingerprints.candidate_ids(REPORT, START - days(1)) == [near.pk]
    assert fingerprints.candidate_ids(REPORT, START + days(1)) == []
    assert fingerprints.candidate_ids("路灯", START - days(1)) == []


def test_refresh_prunes_old_fingerprints_and_writes_missing_ones(world, flow, clock):
    # given a case registered nine days ago (past the retention of eight) and a recent one without fingerprints
    assert fingerprints.retention() == days(8)
    old = flow.received(content=OTHER)
    old_rows = CaseFingerprint.objects.filter(case=old).count()
    clock.move_to(START + days(9))
    recent = flow.received(content=REPORT)
    expected = CaseFingerprint.objects.filter(case=recent).count()
    CaseFingerprint.objects.filter(case=recent).delete()
    assert similar_cases(world.dispatcher, NEAR) == []  # the text signal needs them

    # when the daily refresh runs
    counts = fingerprints.refresh_fingerprints()

    # then the old rows are gone and the recent case's are back
    assert counts == {"pruned": old_rows, "written": expected}
    assert not CaseFingerprint.objects.filter(case=old).exists()
    assert set(CaseFingerprint.objects.filter(case=recent).values_list("band", flat=True)) == set(
        fingerprints.signature_bands(REPORT))
    assert found(similar_cases(world.dispatcher, NEAR)) == [recent]
    # and a second run has nothing to do
    assert fingerprints.refresh_fingerprints() == {"pruned": 0, "written": 0}


def test_a_recently_imported_case_gets_fingerprints_an_old_one_none(world):
    admin = get_user_model().objects.create_superuser("importer", password="x")
    recent, created = import_historical_case(
        acting_user=admin, channel="hotline", external_id="GP-1", content=NEAR,
        received_at=local(2025, 9, 27, 9), closed_at=local(2025, 9, 29, 9),
    )
    old, _created = import_historical_case(
        acting_user=admin, channel="hotline", external_id="GP-2", content=NEAR,
        received_at=local(2024, 3, 1, 9), closed_at=local(2024, 3, 2, 9),
    )
    assert created
    assert 1 <= CaseFingerprint.objects.filter(case=recent).count() <= fingerprints.BANDS
    assert not CaseFingerprint.objects.filter(case=old).exists()
    assert found(similar_cases(world.dispatcher, REPORT)) == [recent]


# --- Repeats --------------------------------------------------------------------------------------
def test_merged_duplicates_count_as_repeats_of_the_matter(world, flow):
    # given three orders on one item in one village, two of them merged into the first
    item = DirectoryItemFactory(name="路灯不亮")
    rule = WarningRuleFactory(kind=WarningRule.Kind.REPEAT_MATTER, threshold=3, window_days=3)
    primary, *duplicates = [
        flow.received(directory_item=item, region=world.village_a_r, citizen_phone=f"1390000{n:04d}", content=REPORT)
        for n in range(3)
    ]
    merge_cases(primary, duplicates, acting_user=world.dispatcher)
    # when the sweep runs
    sweep(now=local(2025, 9, 30, 12))
    # then the primary, the one open order, is warned: the merged ones counted
    assert warned(rule) == {primary.pk}
