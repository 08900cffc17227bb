"""The dispatch model at directory scale: ~2,000 items instead of 7.

    .venv/bin/python benchmarks/bench_dispatch_scale.py [--items 500] [--cases 5000] [--seed 0]
                                                        [--keep 0.8,0.9,0.95,0.99,1]

The defaults run in about a minute on a busy 2-core machine; a directory's
size, ``--items 2000 --cases 20000``, takes about 20 minutes and
``--items 2000 --cases 40000`` (60,000 features, the vectorisers' limits)
about 35, most of it the fit.

No database: the texts are generated and the product's pipeline
(``features.build_pipeline``) is fitted on them directly; Django is set up
(``config.settings_test``) only because ``learning.store`` imports the models.

The texts: every item has four characteristic words (two Chinese characters
each) drawn from a shared pool of ``2 × items`` words, so that most words
belong to two or three items and an item is told by their combination.
A case's title is one of its item's words (one case in six: a word of
another item) followed by a stock ending; its content mixes three of its
item's words, one or two words of other items and four to six filler words
every item shares (小区, 已经, 希望, 尽快…), shuffled. Items are Zipf-sized
(exponent 0.8), at least 5 training cases each (the 5-fold calibration
needs 5 of each class), ``--cases`` training cases in all; a fifth as many
again (at least one an item) are generated as held-out cases.

Fitted once; then, from the same fit, in the same run:

- baseline: the weights as they were stored before (``coef_`` dense in
  single precision) and the former ``Scorer``, which read them into a dense
  float64 matrix (features × classes); it is kept here as ``DenseScorer``;
- product: ``features.shrink`` (weights pruned to the largest carrying
  ``features.PRUNE_KEEP_MASS`` of each class's L1 mass, stored sparse)
  and ``scoring.Scorer`` (a CSR matrix, features × classes, float32).

For each: the blob's size (``store.dumps``); the time to shrink the fitted
weights, to write the blob and to read it (``store.loads`` and the
scorer); the memory a web process keeps for the model (tracemalloc: what
is still allocated after ``store.loads`` → scorer → the pipeline dropped,
and the peak while loading) and the weight arrays' own bytes; p50 and p95
time per ``proba`` over the held-out texts; top-1 and top-3 accuracy on
them. Also the fit's time (vectorising, the five calibration fits and the
final fit of the linear SVM, one sigmoid per item: their share is timed
apart) and the process's peak resident memory after it; and for each
``--keep`` fraction the weights kept, top-1, top-3 and the largest change
of a probability against the baseline.
"""

import argparse
import contextlib
import copy
import gc
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

from reporting import report  # noqa: E402

FILLER = ["小区", "门口", "已经", "好几天", "希望", "尽快", "处理", "居民", "反映", "附近", "一直", "没有人管",
          "楼下", "现在", "情况", "严重", "影响", "生活", "请问", "相关", "部门", "我们", "这里", "问题"]
ENDINGS = ["问题", "的反映", "求助", "投诉", "咨询", "的情况"]


def generate(items, cases, seed):
    """``(train_texts, train_labels, held_texts, held_labels)``."""
    rng = random.Random(seed)
    alphabet = [chr(c) for c in rng.sample(range(0x4E00, 0x9FA6), 2500)]
    pool = sorted({"".join(rng.sample(alphabet, 2)) for _ in range(2 * items + 50)})[: 2 * items]
    own = [rng.sample(pool, 4) for _ in range(items)]
    weights = [1 / (rank + 1) ** 0.8 for rank in range(items)]
    spare = cases - 5 * items
    if spare < 0:
        raise SystemExit(f"--cases must be at least 5 per item ({5 * items})")
    total = sum(weights)
    counts = [5 + int(spare * w / total) for w in weights]
    for item in range(cases - sum(counts)):  # what the rounding down left, one more case to the largest items
        counts[item] += 1

    def text(item):
        words = own[item]
        title_word = words[0] if rng.random() < 5 / 6 else rng.choice(pool)
        body = ([rng.choice(words) for _ in range(3)] + rng.sample(pool, rng.randint(1, 2))
                + rng.sample(FILLER, rng.randint(4, 6)))
        rng.shuffle(body)
        content = "".join(w + ("，" if rng.random() < 0.3 else "") for w in body) + "。"
        return f"{title_word}{rng.choice(ENDINGS)}\n{content}"

    train, held = [], []
    for item, n in enumerate(counts):
        train += [(text(item), item) for _ in range(n)]
        held += [(text(item), item) for _ in range(max(1, n // 5))]
    rng.shuffle(train)
    return [t for t, _ in train], [c for _, c in train], [t for t, _ in held], [c for _, c in held]


class DenseScorer:
    """The former ``scoring.Scorer``: a dense float64 matrix (features × classes)."""

    def __init__(self, pipeline):
        self.blocks = []
        offset = 0
        for _name, vectorizer in pipeline.named_steps["features"].transformer_list:
            self.blocks.append((vectorizer.build_analyzer(), vectorizer.vocabulary_,
                                np.asarray(vectorizer.idf_, dtype=np.float64), offset))
            offset += len(vectorizer.idf_)
        [calibrated] = pipeline.named_steps["classifier"].calibrated_classifiers_
        estimator = calibrated.estimator
        self.weights = np.ascontiguousarray(estimator.coef_.T, dtype=np.float64)
        self.intercept = np.asarray(estimator.intercept_, dtype=np.float64)
        self.a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self.b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        self.classes = pipeline.classes_

    def proba(self, text):
        from scipy.special import expit

        scores = self.intercept.copy()
        for analyzer, vocabulary, idf, offset in self.blocks:
            counts = Counter(i for i in map(vocabulary.get, analyzer(text)) if i is not None)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * idf[index]
            values /= np.sqrt(values @ values)
            scores += values @ self.weights[offset + index]
        calibrated = expit(-(self.a * scores + self.b))
        total = calibrated.sum()
        return calibrated / total if total else np.full(len(self.classes), 1 / len(self.classes))


def old_shrink(pipeline):
    """What ``features.shrink`` did before: the weights in single precision, dense."""
    for calibrated in pipeline.named_steps["classifier"].calibrated_classifiers_:
        calibrated.estimator.coef_ = calibrated.estimator.coef_.astype(np.float32)
        calibrated.estimator.intercept_ = calibrated.estimator.intercept_.astype(np.float32)
    return pipeline


@contextlib.contextmanager
def timed_sigmoids():
    """``[seconds, calls]`` spent in scikit-learn's per-item sigmoid fit (Platt) while the block runs."""
    from sklearn import calibration

    spent = [0.0, 0]
    original = calibration._sigmoid_calibration

    def sigmoid(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t
            spent[1] += 1

    calibration._sigmoid_calibration = sigmoid
    try:
        yield spent
    finally:
        calibration._sigmoid_calibration = original


def weight_bytes(scorer):
    w = scorer.weights
    if hasattr(w, "indptr"):
        return w.data.nbytes + w.indices.nbytes + w.indptr.nbytes, w.nnz
    return w.nbytes, int(np.count_nonzero(w))


def loaded(blob, scorer_class):
    """A scorer loaded from ``blob`` as a web process does, with the memory it keeps and the load's peak."""
    from casemodels.services.learning.store import loads

    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    pipeline = loads(blob)
    scorer = scorer_class(pipeline)
    seconds = time.perf_counter() - started
    del pipeline
    gc.collect()
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return scorer, kept, peak, seconds


def judge(scorer, texts, labels):
    times, probabilities = [], []
    for text in texts:
        t = time.perf_counter()
        p = scorer.proba(text)
        times.append(time.perf_counter() - t)
        probabilities.append(p)
    probabilities = np.array(probabilities)
    order = np.argsort(-probabilities, axis=1)[:, :3]
    classes = np.asarray(scorer.classes)
    labels = np.asarray(labels)
    top1 = float(np.mean(classes[order[:, 0]] == labels))
    top3 = float(np.mean((classes[order] == labels[:, None]).any(axis=1)))
    ms = sorted(t * 1000 for t in times)
    return {"top1": top1, "top3": top3, "p50": statistics.median(ms), "p95": ms[int(0.95 * (len(ms) - 1))],
            "probabilities": probabilities}


def mib(n):
    return f"{n / 2**20:,.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--cases", type=int, default=5000, help="training cases (held-out: about a fifth more)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", default="0.8,0.9,0.95,0.99,1",
                        help="L1-mass fractions to compare (comma-separated; 1 = no pruning)")
    args = parser.parse_args()

    import django

    django.setup()
    from casemodels.services.learning import features
    from casemodels.services.learning.scoring import Scorer
    from casemodels.services.learning.store import dumps

    started = time.perf_counter()
    texts, labels, held_texts, held_labels = generate(args.items, args.cases, args.seed)
    print(f"generated {len(texts):,} training and {len(held_texts):,} held-out texts of {args.items:,} items "
          f"in {time.perf_counter() - started:.1f} s (largest item {max(Counter(labels).values())} cases, "
          f"e.g. {texts[0]!r})", flush=True)

    pipeline = features.build_pipeline()
    started = time.perf_counter()
    with timed_sigmoids() as sigmoids:
        pipeline.fit(texts, labels)
    fit_seconds = time.perf_counter() - started
    n_features = sum(len(v.idf_) for _n, v in pipeline.named_steps["features"].transformer_list)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"fit: {fit_seconds:.1f} s, of which {sigmoids[0]:.1f} s fitting {sigmoids[1]:,} sigmoids "
          f"({n_features:,} features × {len(pipeline.classes_):,} classes; process peak RSS {mib(rss)})", flush=True)

    rows = {}
    for name, shrink, scorer_class in (("baseline", old_shrink, DenseScorer), ("product", features.shrink, Scorer)):
        shrunk = copy.deepcopy(pipeline)
        t = time.perf_counter()
        shrink(shrunk)
        shrink_seconds = time.perf_counter() - t
        t = time.perf_counter()
        blob = dumps(shrunk)
        dump_seconds = time.perf_counter() - t
        del shrunk
        scorer, kept, peak, load_seconds = loaded(blob, scorer_class)
        nbytes, nnz = weight_bytes(scorer)
        figures = judge(scorer, held_texts, held_labels)
        rows[name] = dict(blob=len(blob), shrink=shrink_seconds, dump=dump_seconds, load=load_seconds, kept=kept, peak=peak,
                          weights=nbytes, nnz=nnz, **figures)
        del scorer, blob
        gc.collect()
        print(f"{name}: measured", flush=True)

    base, prod = rows["baseline"], rows["product"]
    delta = np.abs(base["probabilities"] - prod["probabilities"]).max()
    same = np.mean(base["probabilities"].argmax(axis=1) == prod["probabilities"].argmax(axis=1))
    print(f"\nDispatch model at directory scale — {args.items:,} items, {len(texts):,} training cases, "
          f"{len(held_texts):,} held-out, {n_features:,} features, seed {args.seed}, Python {sys.version.split()[0]}\n")
    print("| weights | blob | shrink / dump / load s | kept in process | load peak | weight arrays (non-zero) "
          "| p50 ms | p95 ms | top-1 | top-3 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, label in (("baseline", "baseline: dense (float32 stored, float64 in the Scorer)"),
                        ("product", f"product: pruned to {features.PRUNE_KEEP_MASS:g} of L1 mass, CSR float32")):
        r = rows[name]
        print(f"| {label} | {mib(r['blob'])} | {r['shrink']:.1f} / {r['dump']:.1f} / {r['load']:.1f} | {mib(r['kept'])} | "
              f"{mib(r['peak'])} | {mib(r['weights'])} ({r['nnz']:,}) | {r['p50']:.2f} | {r['p95']:.2f} | "
              f"{r['top1']:.3f} | {r['top3']:.3f} |")
    base_name = "dense scorer, fitted in the same run"
    for key, name, unit, scale in (("blob", "stored blob", "MiB", 2 ** -20), ("kept", "memory kept in process", "MiB",
                                   2 ** -20), ("p50", "Scorer.proba p50", "ms", 1), ("top1", "top-1", "share", 1)):
        report("bench_dispatch_scale", f"{name} ({args.items:,} items)", prod[key] * scale, unit,
               base[key] * scale, base_name, better="higher" if key == "top1" else "lower", database="none")
    print(f"\nproduct vs baseline on the held-out texts: same top-1 item for {same:.4f}, "
          f"largest change of a probability {delta:.4f}")
    print(f"fit (build_pipeline().fit: vectorising, {features.CALIBRATION_FOLDS} calibration fits + the final fit "
          f"of the linear SVM, {sigmoids[1]:,} sigmoids): {fit_seconds:.1f} s, of which the sigmoids {sigmoids[0]:.1f} s; "
          f"peak RSS after the fit {mib(rss)}")

    print("\n| kept L1 mass | non-zero weights | of dense | top-1 | top-3 | largest Δp |")
    print("|---|---|---|---|---|---|")
    dense_size = n_features * len(pipeline.classes_)
    for keep in (float(k) for k in args.keep.split(",")):
        scorer = Scorer(features.shrink(copy.deepcopy(pipeline), keep=keep))
        r = judge(scorer, held_texts, held_labels)
        nnz = scorer.weights.nnz
        change = np.abs(r["probabilities"] - base["probabilities"]).max()
        print(f"| {keep:g} | {nnz:,} | {nnz / dense_size:.1%} | {r['top1']:.3f} | {r['top3']:.3f} | {change:.4f} |",
              flush=True)
        del scorer
        gc.collect()


if __name__ == "__main__":
    main()
