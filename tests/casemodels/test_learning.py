"""The dispatch model learned from closed cases (casemodels.services.learning)
and suggest_dispatch combining it with the keyword rules, on generated
cases imported as history through the product's import service; the
pruned, sparse weights (``features.shrink``) on pipelines fitted directly
(no database)."""

import copy
import random

import numpy as np
import pytest
from scipy import sparse
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils import timezone
from django_q.models import Schedule

from casemodels.learning_tasks import train_dispatch_model_task
from casemodels.models import CaseState, DispatchModel
from casemodels.schedules import ensure_schedules
from casemodels.services.history import import_historical_case
from casemodels.services.learning import (
    activate_dispatch_model, active_model, case_text, forget_loaded_model, train_dispatch_model,
)
from casemodels.services.learning.features import build_pipeline, prune, shrink
from casemodels.services.learning.scoring import Scorer
from casemodels.services.learning.store import loads
from casemodels.services.learning.training import is_held_back
from casemodels.services.suggestions import suggest_dispatch
from snippets.models import DirectoryItem
from tests.factories import DirectoryItemFactory

from .conftest import local

# Three matters, each told with its own words among words every matter shares.
WORDS = {
    "lights": ["路灯", "灯杆", "照明", "不亮", "灯泡", "闪烁", "黑灯"],
    "water": ["停水", "水管", "水压", "自来水", "漏水", "水表", "供水"],
    "noise": ["噪音", "施工", "扰民", "夜间", "机器", "轰鸣", "睡觉"],
}
COMMON = ["小区", "门口", "已经", "好几天", "希望", "尽快", "处理", "居民", "反映", "附近", "一直", "没有人管"]


@pytest.fixture(autouse=True)
def english():
    """The messages are read in English here (the zh_Hans catalog translates them)."""
    with translation.override("en"):
        yield


def message(kind, rng, marker=""):
    own = rng.sample(WORDS[kind], 3)
    common = rng.sample(COMMON, 4)
    title = f"{own[0]}{marker}问题"
    return title, f"{common[0]}{own[0]}{common[1]}{own[1]}，{common[2]}{own[2]}{marker}，{common[3]}。"


@pytest.fixture(autouse=True)
def _no_loaded_model():
    forget_loaded_model()
    yield
    forget_loaded_model()


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("learner", password="x")


@pytest.fixture
def items(world):
    def item(name):
        return DirectoryItemFactory(name=name, routing=DirectoryItem.Routing.SECTOR, sector_unit=world.dept)

    return {"lights": item("照明设施维护"), "water": item("城市供水服务"), "noise": item("施工噪声管理")}


def history(world, admin, items, per_kind=30, seed=1, markers=None, start=0):
    """Closed cases told in each matter's words, imported as history."""
    rng = random.Random(seed)
    n = start
    for _round in range(per_kind):
        for kind, item in items.items():
            n += 1
            title, content = message(kind, rng, (markers or {}).get(kind, ""))
            import_historical_case(
                acting_user=admin, channel=world.hotline, external_id=f"H{n:05d}", title=title, content=content,
                directory_item=item, received_at=local(2025, 6, 1, 9), closed_at=local(2025, 6, 5, 9),
            )
    return n


def test_case_text_is_title_then_content_once():
    assert case_text("路灯不亮", "小区路灯不亮三天了") == "路灯不亮\n小区路灯不亮三天了"
    assert case_text("小区路灯", "小区路灯不亮三天了") == "小区路灯不亮三天了"
    assert case_text("", " 内容 ") == "内容"


def test_a_model_that_beats_the_rules_is_stored_active_with_its_figures(world, admin, items):
    # given 90 closed cases of three items that have no keywords (the rules find nothing)
    history(world, admin, items)
    # when a model is trained
    result = train_dispatch_model(now=local(2025, 9, 30, 3))
    # then version 1 is stored, active, with the held-back figures of the model and of the rules
    model = result.model
    assert result.activated and model.is_active and model.version == 1
    assert model.trained_at == local(2025, 9, 30, 3)
    held = model.metrics["held_back"]
    assert 0 < held < 90 and model.training_cases == 90 and model.classes == 3
    assert model.metrics["rules"] == {"top1": 0.0, "top3": 0.0, "macro_f1": 0.0}
    assert model.metrics["model"]["top1"] >= 0.9 and model.metrics["model"]["top3"] == 1.0
    assert 0 < model.size_bytes == len(bytes(model.blob))
    assert set(loads(model.blob).classes_) == {i.pk for i in items.values()}
    assert "Version 1 is active" in result.message


def test_the_fast_scorer_gives_the_pipelines_probabilities(world, admin, items):
    # the stored pipeline's weights are the pruned ones the Scorer reads: the two agree exactly
    history(world, admin, items)
    pipeline = loads(train_dispatch_model().model.blob)
    scorer = Scorer(pipeline)
    texts = ["夜间施工噪音很大", "自来水停水", "路灯不亮\n小区门口的路灯坏了", "完全无关的话", "", "ABC abc"]
    for text in texts:
        assert list(scorer.proba(text)) == pytest.approx(list(pipeline.predict_proba([text])[0]), abs=1e-6)
    assert list(scorer.classes) == list(pipeline.classes_)


def test_with_two_items_the_fast_scorer_still_agrees(world, admin, items):
    history(world, admin, {kind: items[kind] for kind in ("lights", "water")})
    pipeline = loads(train_dispatch_model().model.blob)
    for text in ["路灯不亮", "自来水停水", "其他"]:
        assert list(Scorer(pipeline).proba(text)) == pytest.approx(list(pipeline.predict_proba([text])[0]), abs=1e-6)


def messages(kinds, per_kind, seed):
    """``(texts, labels)``: ``per_kind`` generated messages of each kind, without a database."""
    rng = random.Random(seed)
    pairs = [(case_text(*message(kind, rng)), kind) for _round in range(per_kind) for kind in kinds]
    return [text for text, _kind in pairs], [kind for _text, kind in pairs]


def test_pruning_keeps_the_largest_weights_carrying_the_mass_asked_for():
    coef = np.array([[4.0, -3.0, 2.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0], [0.5, -0.5, 0.5, -0.5, 8.0]])
    # 90 %: 4 + 3 + 2 of the first row's 10; the last row's 8 and the next 0.5, and its ties with it
    assert prune(coef, keep=0.9).toarray().tolist() == [[4, -3, 2, 0, 0], [0, 0, 0, 0, 0], [0.5, -0.5, 0.5, -0.5, 8]]
    # 60 %: 4 + 3 of the first row (4 alone is 40 %); the last row's 8 alone
    assert prune(coef, keep=0.6).toarray().tolist() == [[4, -3, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 8]]
    # keep=1 keeps every non-zero weight; the result is CSR in single precision either way
    full = prune(coef, keep=1)
    assert full.format == "csr" and full.dtype == np.float32 and full.nnz == 9
    assert full.toarray().tolist() == coef.tolist()


def test_pruned_weights_barely_change_the_probabilities():
    # given the product's pipeline fitted on the three matters' messages, shrunk with and without pruning
    texts, labels = messages(WORDS, 30, seed=3)
    fitted = build_pipeline().fit(texts, labels)
    full = shrink(copy.deepcopy(fitted), keep=1)
    pruned = shrink(copy.deepcopy(fitted))
    [full_estimator] = [c.estimator for c in full.named_steps["classifier"].calibrated_classifiers_]
    [pruned_estimator] = [c.estimator for c in pruned.named_steps["classifier"].calibrated_classifiers_]
    assert pruned_estimator.coef_.nnz < full_estimator.coef_.nnz
    scorer = Scorer(pruned)
    probe, _labels = messages(WORDS, 10, seed=4)
    for text in probe + ["夜间施工噪音很大", "完全无关的话", ""]:
        p = scorer.proba(text)
        # the Scorer gives the pruned pipeline's own probabilities exactly (same weights)
        assert list(p) == pytest.approx(list(pruned.predict_proba([text])[0]), abs=1e-6)
        # and the unpruned pipeline's within 0.01, with the same first item: pruning drops the smallest
        # weights carrying 1 % of each item's L1 mass; a text's TF-IDF vector has unit length (per
        # block), so an item's score moves by at most the dropped weights' Euclidean length, and its
        # probability by less (observed here: below 0.001)
        unpruned = full.predict_proba([text])[0]
        assert list(p) == pytest.approx(list(unpruned), abs=0.01)
        if text:
            assert p.argmax() == unpruned.argmax()


def test_a_model_stored_before_pruning_is_still_read():
    # given a pipeline whose weights are dense, in single precision (as versions were stored before)
    texts, labels = messages(WORDS, 20, seed=6)
    pipeline = shrink(build_pipeline().fit(texts, labels), keep=1)
    [estimator] = [c.estimator for c in pipeline.named_steps["classifier"].calibrated_classifiers_]
    estimator.coef_ = estimator.coef_.toarray()
    # then the Scorer reads it into its sparse matrix and gives its probabilities
    scorer = Scorer(pipeline)
    assert sparse.issparse(scorer.weights) and scorer.weights.nnz == np.count_nonzero(estimator.coef_)
    for text in ["夜间施工噪音很大", "自来水停水", "其他"]:
        assert list(scorer.proba(text)) == pytest.approx(list(pipeline.predict_proba([text])[0]), abs=1e-6)


def directory_messages(items, per_item, seed):
    """``(texts, labels)`` of ``items`` items, each told by its four words (from a pool the items
    share, two items a word) among two words of other items and four common words."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
    pool = ["".join(rng.sample(alphabet, 2)) for _ in range(2 * items)]
    own = [rng.sample(pool, 4) for _ in range(items)]
    texts, labels = [], []
    for _round in range(per_item):
        for item, words in enumerate(own):
            body = [rng.choice(words) for _ in range(3)] + rng.sample(pool, 2) + rng.sample(COMMON, 4)
            rng.shuffle(body)
            texts.append(f"{words[0]}问题\n{''.join(body)}。")
            labels.append(item)
    return texts, labels


def test_the_scorer_keeps_the_weights_of_many_items_sparse():
    # given the product's pipeline fitted on 30 items' messages (30 each) and shrunk
    texts, labels = directory_messages(30, 30, seed=5)
    fitted = build_pipeline().fit(texts, labels)
    pipeline = shrink(copy.deepcopy(fitted))
    # then the stored model's weights and the Scorer's are sparse, single precision, pruned
    [estimator] = [c.estimator for c in pipeline.named_steps["classifier"].calibrated_classifiers_]
    [unpruned] = [c.estimator for c in shrink(fitted, keep=1).named_steps["classifier"].calibrated_classifiers_]
    assert sparse.issparse(estimator.coef_) and estimator.coef_.nnz < unpruned.coef_.nnz
    scorer = Scorer(pipeline)
    weights = scorer.weights
    features = sum(len(v.idf_) for _name, v in pipeline.named_steps["features"].transformer_list)
    assert sparse.issparse(weights) and weights.format == "csr" and weights.dtype == np.float32
    assert weights.shape == (features, 30) and weights.nnz == estimator.coef_.nnz
    # and take less room than the dense matrix in single precision, less than half the dense float64
    # one the Scorer kept before (with 30 items 4 weights in 10 are kept; with 2,000, 4 in 100:
    # benchmarks/bench_dispatch_scale.py)
    stored = weights.data.nbytes + weights.indices.nbytes + weights.indptr.nbytes
    assert stored < features * 30 * 4 and stored < features * 30 * 8 / 2
    # and the Scorer still gives the pipeline's probabilities
    for text in texts[:5]:
        assert list(scorer.proba(text)) == pytest.approx(list(pipeline.predict_proba([text])[0]), abs=1e-6)


def test_the_held_back_cases_are_the_same_every_time_and_about_one_in_five():
    held = [pk for pk in range(1, 2001) if is_held_back(pk)]
    assert held == [pk for pk in range(1, 2001) if is_held_back(pk)]
    assert 300 < len(held) < 500


def test_the_model_alone_suggests_an_item_with_its_confidence_and_reason(world, admin, items):
    history(world, admin, items)
    train_dispatch_model()
    # when a new request about water comes in (no keywords configured anywhere)
    result = suggest_dispatch("我家自来水停水两天了，水压也很低，请供水部门处理", limit=3)
    # then the water item comes first, routed to its unit, with the model's confidence and reason
    first = result[0]
    assert first["item"] == items["water"] and first["unit"] == world.dept
    assert first["sources"] == ["model"]
    assert 0.5 < first["score"] <= 1
    assert "learned from 90 closed cases" in first["reason"]
    assert [r["score"] for r in result] == sorted((r["score"] for r in result), reverse=True)
    assert all(0 <= r["score"] <= 1 for r in result)


def test_without_an_active_model_the_rules_alone_decide(world, admin, items):
    # given keywords on the lights item and a model stored but not active
    history(world, admin, items)
    result = train_dispatch_model()
    DispatchModel.objects.filter(pk=result.model.pk).update(is_active=False)
    items["lights"].keywords = "路灯,不亮"
    items["lights"].save()
    # then only the rules speak: the lights item, by its words, with the rules' score
    [only] = suggest_dispatch("自来水停水了，楼下路灯也不亮")
    assert only["item"] == items["lights"] and only["sources"] == ["rules"]
    assert only["score"] == round(4 / 8, 3)  # raw 4 (路灯 + 不亮) → 4 / (4 + 4)
    assert "learned" not in only["reason"] and "路灯" in only["reason"]


def test_rules_and_model_together_combine_as_independent_evidence(world, admin, items):
    history(world, admin, items)
    train_dispatch_model()
    model = active_model()
    text = "夜间施工噪音很大，机器轰鸣，影响睡觉"
    probabilities = dict(model.rank(text))
    # given the noise item's keyword in the text
    items["noise"].keywords = "扰民,轰鸣"
    items["noise"].save()
    first = suggest_dispatch(text)[0]
    # then it is suggested by both, its confidence 1 - (1 - p)(1 - k) above either alone
    p, k = probabilities[items["noise"].pk], 2 / (2 + 4)
    assert first["item"] == items["noise"] and first["sources"] == ["rules", "model"]
    assert first["score"] == round(1 - (1 - p) * (1 - k), 3)
    assert first["score"] > max(p, k)
    assert "轰鸣" in first["reason"] and "learned from" in first["reason"]


def test_a_model_that_does_not_beat_the_rules_is_stored_but_not_used(world, admin, items):
    # given cases each carrying a marker word that the item's keywords name: the rules are always right
    markers = {"lights": "甲类", "water": "乙类", "noise": "丙类"}
    for kind, marker in markers.items():
        items[kind].keywords = marker
        items[kind].save()
    history(world, admin, items, markers=markers)
    # when a model is trained
    result = train_dispatch_model()
    # then it is version 1, stored with its figures, but not active: the rules' top-1 is 1.0
    assert result.model.version == 1 and not result.activated and not result.model.is_active
    assert result.model.metrics["rules"]["top1"] == 1.0
    assert "does not beat the rules" in result.message
    assert active_model() is None
    assert all(s["sources"] == ["rules"] for s in suggest_dispatch("丙类噪音"))


def test_too_little_to_learn_from_stores_nothing_and_says_why(world, admin, items):
    history(world, admin, items, per_kind=2)
    result = train_dispatch_model()
    assert result.model is None and not result.activated
    assert "Too little to learn from" in result.message
    assert DispatchModel.objects.count() == 0
    # and with no case at all
    DispatchModel.objects.all().delete()
    assert train_dispatch_model().model is None


def test_cases_of_inactive_items_open_cases_and_invalid_ones_are_not_learned(world, admin, items, flow):
    history(world, admin, items)
    items["noise"].is_active = False
    items["noise"].save()
    flow.received(content="小区门口路灯不亮", directory_item=items["lights"])
    invalid = flow.received(content="小区门口路灯不亮了", directory_item=items["lights"])
    invalid.state = CaseState.INVALID
    invalid.save(update_fields=["state"])
    result = train_dispatch_model()
    assert result.model.training_cases == 60 and result.model.classes == 2
    assert set(loads(result.model.blob).classes_) == {items["lights"].pk, items["water"].pk}


def test_each_run_is_a_new_version_and_one_version_is_active(world, admin, items):
    n = history(world, admin, items)
    first = train_dispatch_model().model
    history(world, admin, items, per_kind=5, seed=2, start=n)
    second = train_dispatch_model().model
    assert (first.version, second.version) == (1, 2)
    assert second.training_cases == 105
    assert list(DispatchModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
    # an earlier version can be made active again
    activate_dispatch_model(first)
    assert list(DispatchModel.objects.filter(is_active=True).values_list("version", flat=True)) == [1]


def test_the_loaded_model_is_kept_until_another_version_is_active(world, admin, items):
    n = history(world, admin, items)
    train_dispatch_model()
    loaded = active_model()
    # read twice: the same object, not loaded again
    assert active_model() is loaded and loaded.version == 1
    # a new version made active is picked up at the next read
    history(world, admin, items, per_kind=5, seed=2, start=n)
    train_dispatch_model()
    assert active_model().version == 2 and active_model().training_cases == 105
    # and none active: no model
    DispatchModel.objects.update(is_active=False)
    assert active_model() is None


def test_the_task_trains_and_summarises(world, admin, items):
    history(world, admin, items)
    summary = train_dispatch_model_task()
    assert summary["version"] == 1 and summary["activated"] is True
    assert summary["metrics"]["held_back"] > 0


def test_the_weekly_training_is_scheduled_once_for_a_sunday_night(db):
    # the migrated database has it (post_migrate); ensuring again, twice, adds nothing
    ensure_schedules()
    ensure_schedules()
    [schedule] = Schedule.objects.filter(name="minsheng: dispatch model training")
    assert schedule.func == "casemodels.learning_tasks.train_dispatch_model_task"
    assert schedule.schedule_type == Schedule.WEEKLY and schedule.repeats == -1
    first = timezone.localtime(schedule.next_run)
    assert (first.weekday(), first.hour, first.minute) == (6, 3, 0)
