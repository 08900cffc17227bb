"""Usage: ``from reporting import report; report("bench_x", "what", 12.3, "ms", baseline_value=4.1, baseline_name="bare SELECT", target=300)``.

Machine-readable figures for ``benchmarks/run_all.py``. Each benchmark keeps
printing its own table; for each headline figure it also calls ``report``,
which appends one JSON line to the file named by ``MINSHENG_BENCH_RESULTS``
(and does nothing else when that variable is unset, so running a script by
hand prints exactly what it printed before).

- ``value`` and ``baseline_value`` are in the same ``unit`` ("ms", "s",
  "rows/s", "MB", "%", …); ``ratio`` is ``value / baseline_value``.
- ``better`` says which way is good: ``"lower"`` (times, memory) or
  ``"higher"`` (rates, scores).
- ``target`` is the issue's goal, on the value (``target_of="value"``) or on
  the ratio to the baseline (``target_of="ratio"``, e.g. "within 2× of the
  hand-written view": ``target=2, target_of="ratio"``); ``target_met`` is
  worked out here so every benchmark judges the same way.
- ``database`` defaults to the vendor of ``DATABASE_URL`` ("SQLite",
  "PostgreSQL", "none" when unset).
"""

import json
import os
import sys
import time
from pathlib import Path

ENV_VAR = "MINSHENG_BENCH_RESULTS"


def database_label(url=None):
    """"SQLite", "PostgreSQL" or "none" for a DATABASE_URL (the environment's by default)."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    scheme = url.split(":", 1)[0].lower()
    if scheme.startswith("postgres") or scheme.startswith("pgsql"):
        return "PostgreSQL"
    if scheme.startswith("sqlite"):
        return "SQLite"
    return scheme or "none"


def target_met(value, baseline_value=None, target=None, target_of="value", better="lower"):
    """True/False when there is a target to judge (None otherwise)."""
    if target is None:
        return None
    if target_of == "ratio":
        if not baseline_value:
            return None
        subject = value / baseline_value
    else:
        subject = value
    return subject <= target if better == "lower" else subject >= target


def report(benchmark, measurement, value, unit, baseline_value=None, baseline_name=None, database=None, *,
           target=None, target_of="value", better="lower", n=None, note=None):
    """Record one figure beside its baseline; returns the record (a dict)."""
    if better not in ("lower", "higher"):
        raise ValueError(f"better must be 'lower' or 'higher', not {better!r}")
    if target_of not in ("value", "ratio"):
        raise ValueError(f"target_of must be 'value' or 'ratio', not {target_of!r}")
    value = float(value)
    baseline_value = None if baseline_value is None else float(baseline_value)
    record = {
        "benchmark": benchmark,
        "measurement": measurement,
        "database": database or database_label(),
        "value": value,
        "unit": unit,
        "baseline_value": baseline_value,
        "baseline_name": baseline_name,
        "ratio": value / baseline_value if baseline_value else None,
        "better": better,
        "target": target,
        "target_of": target_of,
        "target_met": target_met(value, baseline_value, target, target_of, better),
        "n": n,
        "note": note,
        "script": Path(sys.argv[0]).name if sys.argv and sys.argv[0] else None,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = os.environ.get(ENV_VAR)
    if path:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with open(path, "a", encoding="utf-8") as out:
            out.write(line)
    return record
