"""Content fingerprints: finding the recent cases whose text is nearly the
same as a given text without comparing it with every one of them.

A text's character pairs (``text.bigrams``) get a MinHash signature of
``BANDS × ROWS`` values (each the least of a hash function over the pairs;
two texts agree on one value with a probability equal to the Jaccard
similarity of their pair sets). The signature is cut into ``BANDS`` bands of
``ROWS`` values; each band is hashed into one 63-bit number and stored as a
``CaseFingerprint`` row. Texts sharing at least one band are candidates;
only they are compared exactly (``duplicates``).

With 16 bands of 2 rows, a pair of texts at the duplicate threshold (a Dice
coefficient of 0.6, Jaccard 0.43) shares a band with a probability of 0.96,
a pair at Dice 0.8 with 0.999; unrelated texts (Jaccard 0.1) with 0.15.

Fingerprints are written when a case is registered or imported, kept for
``retention()`` (the content window and a day), and pruned hourly with the
missing ones of the window written (``refresh_fingerprints``: after an
upgrade, or cases written in bulk).
"""

import datetime
import hashlib
import zlib

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Case, CaseFingerprint
from .text import bigrams

BANDS = 16
ROWS = 2
_PRIME = 4_294_967_311  # the least prime above 2**32


def _coefficients(salt):
    """Fixed numbers below 2**31 derived from a hash (not a random generator, whose stream may change
    with a NumPy release): stored fingerprints must stay comparable across versions and processes."""
    return np.array([
        int.from_bytes(hashlib.blake2b(f"{salt}{i}".encode(), digest_size=4).digest(), "big") % (2**31 - 1) + 1
        for i in range(BANDS * ROWS)
    ], dtype=np.int64)


_A = _coefficients("minsheng-minhash-a")
_B = _coefficients("minsheng-minhash-b")


def content_window():
    return datetime.timedelta(days=getattr(settings, "MINSHENG_DUPLICATE_CONTENT_DAYS", 7))


def retention():
    return content_window() + datetime.timedelta(days=1)


def signature_bands(text):
    """The text's band numbers (``BANDS`` of them), or [] for a text of fewer than three pairs."""
    grams = bigrams(text)
    if len(grams) < 3:
        return []
    base = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.int64, count=len(grams))
    # (a·x + b) mod p for each hash function: a < 2**31 and x < 2**32, so no overflow in 64 bits.
    values = ((base[:, None] * _A[None, :] + _B[None, :]) % _PRIME).min(axis=0)
    bands = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS]
        digest = hashlib.blake2b(bytes([band]) + chunk.tobytes(), digest_size=8).digest()
        bands.append(int.from_bytes(digest, "big") >> 1)  # a positive signed 64-bit integer
    return bands


def fingerprint_case(case, *, now=None, replace=True):
    """Write ``case``'s fingerprints, when it is recent enough to be kept;
    ``replace`` drops those it had (its text changed)."""
    now = now or timezone.now()
    if replace:
        CaseFingerprint.objects.filter(case=case).delete()
    if case.received_at < now - retention():
        return 0
    rows = [CaseFingerprint(case=case, band=band, received_at=case.received_at)
            for band in set(signature_bands(case.content))]
    CaseFingerprint.objects.bulk_create(rows)
    return len(rows)


def candidate_ids(text, since, *, limit=200):
    """Ids of the cases received since ``since`` sharing a band with ``text``,
    most bands shared first, at most ``limit``."""
    bands = signature_bands(text)
    if not bands:
        return []
    shared = {}
    for case_id in (CaseFingerprint.objects.filter(band__in=bands, received_at__gte=since)
                    .values_list("case_id", flat=True)):
        shared[case_id] = shared.get(case_id, 0) + 1
    return sorted(shared, key=lambda pk: (-shared[pk], -pk))[:limit]


def refresh_fingerprints(*, now=None, batch=2000):
    """Prune the fingerprints older than ``retention()`` and write those
    missing for the cases received within it. Returns the counts."""
    now = now or timezone.now()
    since = now - retention()
    pruned, _detail = CaseFingerprint.objects.filter(received_at__lt=since).delete()
    written = 0
    missing = (Case.objects.filter(received_at__gte=since).exclude(fingerprints__isnull=False)
               .order_by("pk").values_list("pk", "content", "received_at"))
    rows = []
    for pk, content, received_at in missing.iterator(chunk_size=batch):
        rows += [CaseFingerprint(case_id=pk, band=band, received_at=received_at)
                 for band in set(signature_bands(content))]
        if len(rows) >= batch * BANDS:
            written += _write(rows)
            rows = []
    written += _write(rows)
    return {"pruned": pruned, "written": written}


def _write(rows):
    with transaction.atomic():
        CaseFingerprint.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
