"""Case numbers and query codes: PREFIX + the centre's local date + a daily
sequence (``CaseNumberCounter``, one row per day), and the eight-character
code a citizen tracks a case with. One case (``next_case_number``) or a
whole file of historical cases (``reserve_case_numbers``) take their
numbers the same way."""

import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, PositiveIntegerField, Value, When
from django.utils import timezone

from ..models import CaseNumberCounter

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone


def new_query_code():
    """Eight characters from 32 (10^12 combinations) for public tracking."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(8))


def new_query_codes(count):
    """``count`` query codes as ``new_query_code`` makes them, from one read of
    the system's random source (32 divides 256: each byte picks a character
    without bias)."""
    data = secrets.token_bytes(8 * count)
    alphabet = QUERY_CODE_ALPHABET
    return ["".join(alphabet[b % 32] for b in data[i:i + 8]) for i in range(0, 8 * count, 8)]


def case_number_day(at):
    """The centre's local date of a moment: the day part of a case number."""
    return timezone.localtime(at, ZoneInfo(settings.TIME_ZONE)).date()


COUNTER_CHUNK = 500  # days per UPDATE of the case number counters


def _increments(days, counts):
    amounts = {counts[day] for day in days}
    if len(amounts) == 1:
        return Value(amounts.pop())
    return CaseWhen(*[When(day=day, then=Value(counts[day])) for day in days], default=Value(0),
                    output_field=PositiveIntegerField())


def reserve_case_numbers(counts):
    """Take the next numbers of each day's sequence: ``counts`` is
    ``{day: how many}``, the answer ``{day: [numbers]}``. Safe under
    concurrency: the counter rows stay locked until the transaction ends,
    and a day's counter created meanwhile by another transaction is bumped
    instead. One UPDATE per 500 days and one read, whatever the count."""
    counts = {day: n for day, n in counts.items() if n > 0}
    pending = sorted(counts)
    for _attempt in range(3):
        updated = 0
        for start in range(0, len(pending), COUNTER_CHUNK):
            chunk = pending[start:start + COUNTER_CHUNK]
            updated += CaseNumberCounter.objects.filter(day__in=chunk).update(last=F("last") + _increments(chunk, counts))
        if updated == len(pending):
            pending = []
            break
        present = set()
        for start in range(0, len(pending), COUNTER_CHUNK):
            present.update(CaseNumberCounter.objects.filter(day__in=pending[start:start + COUNTER_CHUNK])
                           .values_list("day", flat=True))
        missing = [day for day in pending if day not in present]
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.bulk_create([CaseNumberCounter(day=day, last=counts[day]) for day in missing])
        except IntegrityError:
            pending = missing  # another transaction created one of them: bump those next time round
            continue
        pending = []
        break
    if pending:
        raise RuntimeError("Could not allocate case numbers.")
    days, last = sorted(counts), {}
    for start in range(0, len(days), COUNTER_CHUNK):
        last.update(CaseNumberCounter.objects.filter(day__in=days[start:start + COUNTER_CHUNK])
                    .values_list("day", "last"))
    prefix = settings.MINSHENG_CASE_NUMBER_PREFIX
    return {day: [f"{prefix}{day:%Y%m%d}{sequence:05d}" for sequence in range(last[day] - n + 1, last[day] + 1)]
            for day, n in counts.items()}


def next_case_number(at):
    """PREFIX + YYYYMMDD (the centre's local date) + a 5-digit daily
    sequence, safe under concurrency."""
    day = case_number_day(at)
    return reserve_case_numbers({day: 1})[day][0]
