"""Each synthetic case's rows (see ``generate_cases``): drawn, then written.

``one_case`` draws a case's lifecycle from delays (``lifecycle``) and cuts it
at the end date: merges, diversions, invalid cases, consultations answered on
the spot, wrong-unit returns, sign-for, reply, return visits and second
rounds, closing and archiving; it fills the case's row and adds its events,
assignments and visits. ``Writer`` stores the rows of one table with explicit
ids through raw ``executemany`` (``COPY`` on PostgreSQL). Also the volume
distributions (``zipf_weights``, ``day_weights``) and ``accumulate`` for
``random.choices``' cumulative weights."""

import datetime
import json
import math
import time

DIVERT_ROUTES = ["litigation", "arbitration", "reconsideration", "petition", "other"]
REPLY = "经核实，已安排人员到现场处理，问题已解决，并与来电人沟通。"


# ---------------------------------------------------------------- writing


class Writer:
    """Rows by attname into one table, explicit ids, raw ``executemany`` (``COPY`` on PostgreSQL)."""

    def __init__(self, model):
        from django.db import connection

        self.connection = connection
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) if f.has_default() else None
                         for f in self.fields}
        for f in self.fields:  # blank text columns without a default hold ""
            if not f.has_default() and not f.null and f.get_internal_type() in ("CharField", "TextField"):
                self.defaults[f.attname] = ""
        self.datetimes = {f.attname for f in self.fields if f.get_internal_type() == "DateTimeField"}
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.rows = []
        self.written = 0
        self.seconds = 0.0  # in executemany / COPY alone
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            # COPY's text format takes the JSON text as it is.
            for f in self.fields:
                if f.get_internal_type() == "JSONField" and f.has_default():
                    self.defaults[f.attname] = json.dumps(f.get_default())
        self.next_id = (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def add(self, **row):
        row["id"] = pk = self.next_id
        self.next_id += 1
        if not self.postgres:  # as Django's SQLite backend stores them: naive UTC text
            for name in self.datetimes:
                value = row.get(name)
                if value is not None:
                    row[name] = str(value.replace(tzinfo=None))
        defaults = self.defaults
        self.rows.append(tuple(row[name] if name in row else defaults[name] for name in self.names))
        return pk

    def flush(self):
        if not self.rows:
            return
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.names))
                cursor.executemany(f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []
        self.seconds += time.perf_counter() - started

    def reset_sequence(self):
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


# ---------------------------------------------------------------- drawing


def zipf_weights(n, s=1.1, rng=None):
    """Zipf weights in a shuffled order (so the busiest items are not the first codes)."""
    weights = [1 / (rank + 1) ** s for rank in range(n)]
    if rng:
        rng.shuffle(weights)
    return weights


def day_weights(start_day, days, years):
    """Daily volume: growing 25 % a year, 60 % at weekends, a winter peak (heating)."""
    out = []
    for d in range(days):
        day = start_day + datetime.timedelta(days=d)
        growth = 1.25 ** (d / 365)
        weekend = 0.6 if day.weekday() >= 5 else 1.0
        season = 1 + 0.15 * math.cos((day.timetuple().tm_yday - 15) / 365 * 2 * math.pi)
        out.append(growth * weekend * season)
    return out


def lifecycle(rng):
    """Delays of a dispatched case's steps (timedelta)."""
    minute, hour, day = datetime.timedelta(minutes=1), datetime.timedelta(hours=1), datetime.timedelta(days=1)
    dispatch = minute * min(rng.lognormvariate(3, 1), 60 * 24)
    sign = hour * min(rng.lognormvariate(0.3, 1.1), 72)
    reply = day * min(rng.lognormvariate(1.0, 0.8), 40)
    visit = hour * rng.uniform(4, 60)
    return dispatch, sign, reply, visit


def accumulate(values):
    total = 0
    for v in values:
        total += v
        yield total


def one_case(rng, case_id, row, received, end, case_type, item, place, route, event, assignments, visits,
              recent, sat_names, sat_cum, method_names, method_cum, pool):
    """Fill ``row``'s lifecycle columns and write its events, assignments and visits; returns its state."""
    day = datetime.timedelta(days=1)
    roll = rng.random()
    # Cases that never reach a unit.
    if roll < 0.03 and recent:
        primary_id, primary_at = recent[rng.randrange(len(recent))]
        if primary_at < received:
            at = received + datetime.timedelta(minutes=rng.uniform(5, 120))
            if at <= end:
                row.update(merged_into_id=primary_id, closed_at=at)
                event(case_id, "merge", at, "received", "merged")
                return "merged"
    if roll < 0.045:
        at = received + datetime.timedelta(minutes=rng.uniform(10, 600))
        if at <= end:
            row.update(divert_route=rng.choice(("litigation", "arbitration", "reconsideration", "petition")),
                       closed_at=at)
            event(case_id, "divert", at, "received", "diverted")
            return "diverted"
        return "received"
    if roll < 0.065:
        at = received + datetime.timedelta(minutes=rng.uniform(2, 240))
        if at <= end:
            row["closed_at"] = at
            event(case_id, "invalid", at, "received", "invalid")
            return "invalid"
        return "received"
    if case_type == "consultation" and rng.random() < 0.6:  # answered on the spot
        at = received + datetime.timedelta(minutes=rng.uniform(3, 15))
        if at > end:
            return "received"
        row.update(reply="已当场答复来电人。", replied_at=at, closed_at=at)
        event(case_id, "answer", at, "received", "closed")
        return _archive(rng, case_id, row, at, end, event)

    dispatch, sign, reply, visit = lifecycle(rng)
    dispatched = received + dispatch
    if dispatched > end:
        return "received"
    unit = route(item, place[2])
    if rng.random() < 0.02:  # first sent to the wrong unit, returned, then dispatched again
        wrong = rng.choice(pool)
        back = dispatched + datetime.timedelta(hours=rng.uniform(1, 20))
        assignments.add(case_id=case_id, unit_id=wrong, role="lead", state="returned", round=1,
                        dispatched_at=dispatched, signed_at=None, finished_at=min(back, end),
                        sign_due=dispatched + 2 * datetime.timedelta(hours=1), reply_due=row["reply_due"])
        event(case_id, "dispatch", dispatched, "received", "dispatched", wrong)
        if back > end:
            row.update(dispatched_at=dispatched, sign_due=dispatched + datetime.timedelta(hours=2))
            return "dispatched"
        event(case_id, "review_return", back, "dispatched", "received", wrong)
        dispatched = back + datetime.timedelta(minutes=rng.uniform(5, 90))
        if dispatched > end:
            row.update(dispatched_at=None)
            return "received"
    row.update(dispatched_at=dispatched, sign_due=dispatched + datetime.timedelta(hours=2))
    state = "dispatched"
    event(case_id, "dispatch", dispatched, "received", "dispatched", unit)
    signed = dispatched + sign
    replied = signed + reply
    lead = dict(case_id=case_id, unit_id=unit, role="lead", round=1, dispatched_at=dispatched,
                sign_due=dispatched + datetime.timedelta(hours=2), reply_due=row["reply_due"])
    co = rng.random() < 0.05
    if signed > end:
        assignments.add(state="pending", **lead)
        if co:
            assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                               "state": "pending"})
        return state
    event(case_id, "sign", signed, "dispatched", "handling", unit)
    state = "handling"
    if replied > end:
        assignments.add(state="signed", signed_at=signed, **lead)
        if co:
            assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                               "state": "signed", "signed_at": signed})
        return state
    assignments.add(state="replied", signed_at=signed, finished_at=replied, **lead)
    if co:
        assignments.add(**{**lead, "role": "co", "unit_id": rng.choice(pool),
                           "state": "replied", "signed_at": signed, "finished_at": replied})
    event(case_id, "reply", replied, "handling", "replied", unit)
    row.update(reply=REPLY, replied_at=replied)
    state = "replied"
    visited = replied + visit
    if visited > end:
        return state
    satisfaction = rng.choices(sat_names, cum_weights=sat_cum)[0]
    resolved = satisfaction != "unsatisfied" or rng.random() < 0.2
    visits.add(case_id=case_id, round=1, method=rng.choices(method_names, cum_weights=method_cum)[0],
               satisfaction=satisfaction, resolved=resolved, visited_at=visited)
    if satisfaction == "unsatisfied" and rng.random() < 1 / 3:  # a second round
        event(case_id, "return_visit", visited, "replied", "dispatched", unit)
        again = visited + datetime.timedelta(hours=rng.uniform(1, 24))
        if again > end:
            row.update(round=2, is_unsatisfied=True)
            return "replied"
        event(case_id, "redispatch", again, "replied", "dispatched", unit)
        _d, sign2, reply2, visit2 = lifecycle(rng)
        replied2 = again + sign2 + reply2
        round2 = dict(case_id=case_id, unit_id=unit, role="lead", round=2, dispatched_at=again,
                      sign_due=again + datetime.timedelta(hours=2), reply_due=again + 7 * day)
        row.update(round=2, dispatched_at=again, reply_due=again + 7 * day, sign_due=round2["sign_due"])
        if replied2 > end:
            signed2 = again + sign2
            if signed2 > end:
                assignments.add(state="pending", **round2)
                return "dispatched"
            assignments.add(state="signed", signed_at=signed2, **round2)
            event(case_id, "sign", signed2, "dispatched", "handling", unit)
            return "handling"
        assignments.add(state="replied", signed_at=again + sign2, finished_at=replied2, **round2)
        event(case_id, "sign", again + sign2, "dispatched", "handling", unit)
        event(case_id, "reply", replied2, "handling", "replied", unit)
        row.update(replied_at=replied2)
        visited = replied2 + visit2
        if visited > end:
            return "replied"
        satisfaction = rng.choices(sat_names, cum_weights=sat_cum)[0]
        visits.add(case_id=case_id, round=2, method="phone", satisfaction=satisfaction,
                   resolved=satisfaction != "unsatisfied", visited_at=visited)
    row["is_unsatisfied"] = satisfaction == "unsatisfied"
    event(case_id, "return_visit", visited, "replied", "replied", unit)
    event(case_id, "close", visited, "replied", "closed")
    row["closed_at"] = visited
    return _archive(rng, case_id, row, visited, end, event)


def _archive(rng, case_id, row, closed, end, event):
    archived = closed + datetime.timedelta(days=rng.uniform(20, 40))
    if archived > end:
        return "closed"
    event(case_id, "archive", archived, "closed", "archived")
    return "archived"
