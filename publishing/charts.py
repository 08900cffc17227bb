"""Charts as inline SVG, one code for the web result board and the PDF
bulletins (weasyprint renders inline ``<svg>`` as vectors).

- ``bar_chart(items, …)``: horizontal bars, one per ``(label, value)``; the
  value printed at the end of its bar (``percent``: a share between 0 and 1
  printed as ``87.5%``); a value of None is drawn as "—" without a bar.
- ``line_chart(labels, series, …)``: one line per ``(name, values)`` over
  the x labels (periods), a dot per point, None a gap that breaks the line;
  a legend, and gridlines labelled on the y axis (0–100% with ``percent``).

The output is plain SVG 1.1 (``xmlns``, ``viewBox`` with ``width`` and
``height``, ``role="img"`` and a ``<title>``): no script, no CSS (classes
only name the parts, for tests and optional styling), no external
reference, the fonts named in ``FONT_FAMILY``. Every text is escaped;
labels too long for their place are cut with "…" (widths are estimated: a
CJK character is one em, others 0.6 em). The same input always gives the
same string (coordinates are written with one decimal). Without anything to
draw, a chart says "No data".
"""

import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONT_FAMILY = "'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"
PALETTE = ("#b91c1c", "#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#0f766e")
TEXT_COLOR = "#1f2937"
MUTED_COLOR = "#6b7280"
GRID_COLOR = "#e5e7eb"
AXIS_COLOR = "#9ca3af"

FONT_SIZE = 13
SMALL_SIZE = 11
TITLE_SIZE = 15
PAD = 8
TITLE_HEIGHT = 28
ROW_HEIGHT = 26
BAR_HEIGHT = 16
EMPTY_HEIGHT = 80
ELLIPSIS = "…"
NO_VALUE = "—"


# --- text -------------------------------------------------------------------

def _esc(text):
    return str(escape("" if text is None else str(text)))


def _char_width(char, size):
    if unicodedata.combining(char):
        return 0.0
    return size if unicodedata.east_asian_width(char) in ("W", "F") else 0.6 * size


def text_width(text, size=FONT_SIZE):
    """The estimated width of ``text`` at ``size`` (px)."""
    return sum(_char_width(char, size) for char in str(text))


def fit_text(text, max_width, size=FONT_SIZE):
    """``text``, cut and ended with "…" when wider than ``max_width``."""
    text = " ".join(str(text or "").split())
    if text_width(text, size) <= max_width:
        return text
    room, kept = max_width - text_width(ELLIPSIS, size), []
    for char in text:
        room -= _char_width(char, size)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip() + ELLIPSIS


# --- numbers ----------------------------------------------------------------

def _number(value):
    """``value`` as a finite Decimal, or None (None, NaN, infinities, anything not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def format_value(value, *, percent=False):
    """A value as printed on a chart: "—" for None; ``percent``: a share
    printed as per cent with one decimal (0.875 → 87.5%); otherwise at most two
    decimals, trailing zeros dropped."""
    number = _number(value)
    if number is None:
        return NO_VALUE
    if percent:
        return f"{(number * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
    rounded = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return str(int(rounded))
    return str(rounded).rstrip("0")


def _c(x):
    """A coordinate, one decimal, without a trailing ".0"."""
    text = f"{x:.1f}"
    if text == "-0.0":
        text = "0.0"
    return text[:-2] if text.endswith(".0") else text


# --- the SVG frame ----------------------------------------------------------

def _svg(width, height, title, body):
    name = _esc(title or _("Chart"))
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_c(width)}" height="{_c(height)}" '
        f'viewBox="0 0 {_c(width)} {_c(height)}" role="img" class="chart" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">'
        f"<title>{name}</title>{''.join(body)}</svg>"
    )


def _text(x, y, text, *, size=FONT_SIZE, anchor="start", color=TEXT_COLOR, weight=None, css=None):
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' class="{css}"' if css else ""
    size_attr = "" if size == FONT_SIZE else f' font-size="{size}"'
    return (f'<text x="{_c(x)}" y="{_c(y)}" text-anchor="{anchor}" fill="{color}"{size_attr}{extra}>'
            f"{_esc(text)}</text>")


def _baseline(top, height, size=FONT_SIZE):
    """The baseline that centres a line of text of ``size`` in the band ``[top, top + height)``."""
    return top + height / 2 + size * 0.35


def _title(title, width):
    if not title:
        return [], 0
    shown = fit_text(title, width - 2 * PAD, TITLE_SIZE)
    return [_text(PAD, _baseline(0, TITLE_HEIGHT, TITLE_SIZE), shown, size=TITLE_SIZE, weight="bold",
                  css="chart-title")], TITLE_HEIGHT


def _empty(title, width):
    body, top = _title(title, width)
    height = top + EMPTY_HEIGHT
    body.append(_text(width / 2, _baseline(top, EMPTY_HEIGHT), _("No data"), anchor="middle", color=MUTED_COLOR,
                      css="no-data"))
    return _svg(width, height, title, body)


# --- bar chart --------------------------------------------------------------

def bar_chart(items, *, title="", percent=False, width=640, color=PALETTE[0]):
    """Horizontal bars of ``items`` (``(label, value)`` pairs, value an int,
    float, Decimal or None), in their order; see the module docstring."""
    rows = [(str(label if label is not None else ""), _number(value)) for label, value in items or ()]
    if not rows:
        return _empty(title, width)
    color = _esc(color)
    body, top = _title(title, width)
    top += PAD
    label_width = min(max(width * 0.3, 96), 240)
    printed = [format_value(value, percent=percent) for _label, value in rows]
    value_width = max(max(text_width(text) for text in printed) + 2 * PAD, 40)
    bar_left = PAD + label_width + PAD
    bar_room = max(width - bar_left - value_width - PAD, 20)
    values = [value for _label, value in rows if value is not None]
    scale = max([v for v in values if v > 0] + ([Decimal(1)] if percent else []), default=Decimal(1))
    for index, ((label, value), shown) in enumerate(zip(rows, printed)):
        row_top = top + index * ROW_HEIGHT
        baseline = _baseline(row_top, ROW_HEIGHT)
        body.append(_text(PAD + label_width, baseline, fit_text(label, label_width), anchor="end", css="label"))
        if value is None:
            body.append(_text(bar_left, baseline, shown, color=MUTED_COLOR, css="value"))
            continue
        length = float(max(value, Decimal(0)) / scale) * bar_room
        body.append(
            f'<rect class="bar" x="{_c(bar_left)}" y="{_c(row_top + (ROW_HEIGHT - BAR_HEIGHT) / 2)}" '
            f'width="{_c(length)}" height="{BAR_HEIGHT}" fill="{color}"/>'
        )
        body.append(_text(bar_left + length + 4, baseline, shown, css="value"))
    height = top + len(rows) * ROW_HEIGHT + PAD
    return _svg(width, height, title, body)


# --- line chart -------------------------------------------------------------

def _nice_step(raw):
    """The smallest of 1, 2, 5 × 10ⁿ not below ``raw`` (> 0)."""
    exponent = math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = Decimal(factor).scaleb(exponent)
        if step >= Decimal(str(raw)) * Decimal("0.999999"):
            return step
    return Decimal(10).scaleb(exponent)  # pragma: no cover (10 always fits)


def _ticks(values, percent):
    """The y axis: (bottom, top, [tick values])."""
    high = max(values, default=Decimal(0))
    low = min(values, default=Decimal(0))
    if percent and high <= 1 and low >= 0:
        return Decimal(0), Decimal(1), [Decimal(q) / 4 for q in range(5)]
    span = max(high, Decimal(0)) - min(low, Decimal(0))
    if span <= 0:
        span = Decimal(1)
    step = _nice_step(float(span) / 4)
    if not percent and all(v == v.to_integral_value() for v in values) and step < 1:
        step = Decimal(1)
    top = step * math.ceil(max(high, Decimal(0)) / step)
    bottom = -step * math.ceil(-min(low, Decimal(0)) / step)
    if top == bottom:
        top = bottom + step
    count = int((top - bottom) / step)
    return bottom, top, [bottom + step * i for i in range(count + 1)]


def _legend(series, width):
    """Legend entries laid out in rows: ([(x, row, name, colour)], rows)."""
    entries, x, row = [], PAD, 0
    for index, (name, _values) in enumerate(series):
        shown = fit_text(name, 160)
        entry_width = 14 + text_width(shown) + 16
        if x > PAD and x + entry_width > width - PAD:
            x, row = PAD, row + 1
        entries.append((x, row, shown, PALETTE[index % len(PALETTE)]))
        x += entry_width
    return entries, (row + 1 if entries else 0)


def line_chart(labels, series, *, title="", percent=False, width=640, height=280):
    """Lines of ``series`` (``(name, values)`` pairs, one value per label,
    None a gap) over the x ``labels``; see the module docstring."""
    labels = [str(label if label is not None else "") for label in labels or ()]
    series = [(str(name if name is not None else ""), [_number(v) for v in list(values or ())[:len(labels)]])
              for name, values in series or ()]
    series = [(name, values + [None] * (len(labels) - len(values))) for name, values in series]
    numbers = [v for _name, values in series for v in values if v is not None]
    if not labels or not numbers:
        return _empty(title, width)
    body, top = _title(title, width)
    legend, legend_rows = _legend(series, width)
    legend_top = top + PAD
    for x, row, name, color in legend:
        y = legend_top + row * 20
        body.append(f'<rect class="legend-key" x="{_c(x)}" y="{_c(y + 4)}" width="10" height="10" fill="{color}"/>')
        body.append(_text(x + 14, _baseline(y, 18, SMALL_SIZE), name, size=SMALL_SIZE, css="legend"))

    bottom_value, top_value, ticks = _ticks(numbers, percent)
    tick_labels = [f"{int(t * 100)}%" if percent else format_value(t) for t in ticks]
    plot_left = PAD + max(max(text_width(t, SMALL_SIZE) for t in tick_labels) + 6, 24)
    plot_right = width - PAD - max(text_width(labels[-1], SMALL_SIZE) / 2, 12)
    plot_top = legend_top + legend_rows * 20 + PAD
    plot_bottom = height - PAD - 20
    if plot_bottom - plot_top < 40:  # too short for the legend and labels: grow the chart
        plot_bottom = plot_top + 40
        height = plot_bottom + 20 + PAD
    span = float(top_value - bottom_value)

    def y_of(value):
        return plot_bottom - float(value - bottom_value) / span * (plot_bottom - plot_top)

    for tick, tick_label in zip(ticks, tick_labels):
        y = y_of(tick)
        stroke = AXIS_COLOR if tick == 0 else GRID_COLOR
        body.append(f'<line class="grid" x1="{_c(plot_left)}" y1="{_c(y)}" x2="{_c(plot_right)}" y2="{_c(y)}" '
                    f'stroke="{stroke}" stroke-width="1"/>')
        body.append(_text(plot_left - 6, y + SMALL_SIZE * 0.35, tick_label, size=SMALL_SIZE, anchor="end",
                          color=MUTED_COLOR, css="tick"))

    count = len(labels)
    spacing = (plot_right - plot_left) / (count - 1) if count > 1 else plot_right - plot_left
    xs = [(plot_left + plot_right) / 2] if count == 1 else [plot_left + i * spacing for i in range(count)]
    widest = max(text_width(label, SMALL_SIZE) for label in labels) + 6
    every = max(1, math.ceil(widest / spacing)) if count > 1 else 1
    for index, (x, label) in enumerate(zip(xs, labels)):
        if (count - 1 - index) % every == 0:  # the latest period is always labelled
            shown = fit_text(label, max(spacing * every - 6, 24), SMALL_SIZE)
            body.append(_text(x, plot_bottom + 16, shown, size=SMALL_SIZE, anchor="middle", color=MUTED_COLOR,
                              css="x-label"))

    for index, (name, values) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        runs, run = [], []
        for x, value in zip(xs, values):
            if value is None:
                runs.append(run)
                run = []
            else:
                run.append((x, y_of(value)))
        runs.append(run)
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_c(x)},{_c(y)}" for x, y in run)
                body.append(f'<polyline class="line" points="{points}" fill="none" stroke="{color}" '
                            f'stroke-width="2" stroke-linejoin="round"/>')
        for x, label, value in zip(xs, labels, values):
            if value is not None:
                tip = f"{name} {label}: {format_value(value, percent=percent)}"
                body.append(f'<circle class="point" cx="{_c(x)}" cy="{_c(y_of(value))}" r="3" fill="{color}">'
                            f"<title>{_esc(tip)}</title></circle>")
    return _svg(width, height, title, body)
