"""What an issue of a bulletin holds: its series' sections, each computed
for the issue's period, and the HTML the PDF is printed from.

The figures, lists and charts come from ``publishing.figures`` (the same
as the web board shows) and ``publishing.typical``; every list is masked
there and never holds a confidential case. The layout is the series'
(``publishing/bulletins/<layout>.html``); each section has its own template
(``publishing/bulletins/sections/<type>.html``)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from .case_lists import overdue_cases, supervision_notes, unsatisfied_cases
from .figures import board_charts, board_summary
from .periods import parse_period


@dataclass
class Section:
    """One section of an issue: its type (the block's name), heading and data."""

    type: str
    heading: str
    data: dict

    @property
    def template(self):
        return f"publishing/bulletins/sections/{self.type}.html"


def _red_black_size(sections):
    sizes = [block.value.get("size") or 3 for block in sections if block.block_type == "red_black"]
    return max(sizes, default=3)


def _hot_limit(sections):
    limits = [block.value.get("limit") or 10 for block in sections if block.block_type == "hot_items"]
    return max(limits, default=10)


def issue_sections(bulletin, *, now=None):
    """The computed sections of ``bulletin``, in the series' order."""
    blocks = list(bulletin.series.sections)
    start, end, _kind = parse_period(bulletin.period)
    summary = board_summary(bulletin.period, list_size=_red_black_size(blocks), top=_hot_limit(blocks))
    charts = None
    sections = []
    for block in blocks:
        kind, value = block.block_type, block.value
        heading = value.get("heading") or block.block.default_heading()
        data = {"summary": summary}
        if kind == "charts":
            charts = charts if charts is not None else board_charts(summary)
            data["charts"] = [charts[name] for name in value.get("charts") or [] if name in charts]
        elif kind == "red_black":
            # Only the groups with someone on the list (a group with one ranked unit has neither list).
            size = value.get("size") or 3
            data["red"] = [(group, rows[:size]) for group, rows in summary.red_lists if rows]
            data["black"] = [(group, rows[:size]) for group, rows in summary.black_lists if rows]
        elif kind == "hot_items":
            data["limit"] = value.get("limit")
        elif kind == "text":
            data["text"] = value.get("text")
        elif kind == "typical_cases":
            data["cases"] = summary.typical_cases
        elif kind == "overdue":
            data["lines"] = overdue_cases(start, end, now=now, limit=value.get("limit") or 30)
        elif kind == "unsatisfied":
            data["lines"] = unsatisfied_cases(start, end, limit=value.get("limit") or 30)
        elif kind == "supervision_notes":
            data["notes"] = supervision_notes(start, end, limit=value.get("limit") or 30)
        sections.append(Section(type=kind, heading=heading, data=data))
    return summary, sections


def css_string(value):
    """``value`` for a CSS string inside the page's ``<style>`` (the running
    header): every ASCII character but letters, digits and spaces as a CSS
    hex escape, so that quotes, backslashes, ``<`` and ``-`` print as
    themselves and nothing ends the string or the style element (``escapejs``
    writes ``\\u002D``, which CSS reads as ``u002D``)."""
    return "".join(
        char if char.isalnum() or char == " " or ord(char) > 127 else f"\\{ord(char):x} " for char in str(value)
    )


def render_issue_html(bulletin, *, now=None):
    """The issue as an HTML document, ready for ``publishing.pdf``."""
    summary, sections = issue_sections(bulletin, now=now)
    return render_to_string(f"publishing/bulletins/{bulletin.series.layout}.html", {
        "bulletin": bulletin, "series": bulletin.series, "summary": summary, "sections": sections,
        "running_label": css_string(bulletin.label), "generated_at": timezone.localtime(now or timezone.now()),
    })
