"""Comparing texts by their character pairs (Chinese has no spaces to
split words on; pairs of characters carry most of a short text's meaning)."""

import re

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text):
    """The set of adjacent character pairs of ``text``, punctuation and
    spaces left out."""
    text = _PUNCTUATION.sub("", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)}


def overlap(a, b):
    """Dice coefficient of two bigram sets (0 … 1)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
