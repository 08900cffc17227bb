"""Charts as SVG (publishing.charts): valid XML, one bar or dot per value,
gaps for None, escaped text, percent formatting, empty input, determinism."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from publishing.charts import PALETTE, bar_chart, fit_text, format_value, line_chart, text_width

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]


def parse(svg):
    """The chart as an element tree (fails on anything that is not well-formed XML)."""
    root = ET.fromstring(str(svg))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def texts(root, css=None):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if css is None or t.get("class") == css]


def by_class(root, tag, css):
    return [e for e in root.iter(f"{{http://www.w3.org/2000/svg}}{tag}") if e.get("class") == css]


def test_a_bar_chart_is_svg_with_one_bar_per_value_and_a_dash_for_none():
    svg = bar_chart([("住建局", 42), ("水务局", 7), ("交通局", None), ("米山镇", Decimal("3.5"))], title="热点事项")
    root = parse(svg)
    assert (root.get("role"), root.get("viewBox")) == ("img", f"0 0 640 {root.get('height')}")
    assert root.find("svg:title", NS).text == "热点事项"
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert len(by_class(root, "rect", "bar")) == 3
    assert texts(root, "value") == ["42", "7", "—", "3.5"]
    assert texts(root, "label") == ["住建局", "水务局", "交通局", "米山镇"]


def test_bars_are_proportional_to_the_largest_value():
    root = parse(bar_chart([("a", 10), ("b", 5), ("c", 0)]))
    widths = [float(r.get("width")) for r in by_class(root, "rect", "bar")]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.1) and widths[2] == 0


def test_percent_bars_print_shares_as_per_cent_on_a_scale_of_100():
    root = parse(bar_chart([("响应率", 0.875), ("满意率", Decimal("0.66666")), ("解决率", 1)], percent=True))
    assert texts(root, "value") == ["87.5%", "66.7%", "100.0%"]
    widths = [float(r.get("width")) for r in by_class(root, "rect", "bar")]
    assert widths[0] == pytest.approx(widths[2] * 0.875, abs=0.1)


def test_a_script_in_a_label_or_title_is_escaped():
    svg = str(bar_chart([("<script>alert(1)</script>", 1)], title="<b>&", width=900))
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert texts(root, "label") == ["<script>alert(1)</script>"]
    assert root.find("svg:title", NS).text == "<b>&"
    line = str(line_chart(["<script>"], [("<script>x</script>", [1])]))
    assert "<script" not in line
    parse(line)


def test_nothing_external_no_script_no_css_variables():
    svg = str(line_chart(MONTHS, [("a", [1, 2, 3, 4, 5, 6])])) + str(bar_chart([("a", 1)]))
    for forbidden in ("<script", "href", "url(", "var(", "<style", "@import", "http://www.w3.org/1999"):
        assert forbidden not in svg


def test_long_chinese_labels_are_cut_with_an_ellipsis():
    label = "住房和城乡建设局关于老旧小区物业管理和加装电梯问题的答复" * 2
    root = parse(bar_chart([(label, 1)], width=400))
    shown = texts(root, "label")[0]
    assert shown.endswith("…") and label.startswith(shown[:-1])
    assert text_width(shown) <= 400 * 0.3 + 0.01
    assert fit_text("短", 100) == "短"


def test_a_line_chart_has_a_dot_per_value_and_breaks_the_line_at_gaps():
    root = parse(line_chart(MONTHS, [("受理", [10, 12, None, 15, 20, 18]), ("办结", [8, 11, 9, 14, 19, 20])],
                            title="受理与办结"))
    assert len(by_class(root, "circle", "point")) == 11
    lines = by_class(root, "polyline", "line")
    # 受理: two runs (May–June, August–October); 办结: one run of six points
    assert [len(line.get("points").split()) for line in lines] == [2, 3, 6]
    assert {line.get("stroke") for line in lines} == {PALETTE[0], PALETTE[1]}
    assert texts(root, "legend") == ["受理", "办结"]
    assert texts(root, "x-label") == MONTHS


def test_an_isolated_value_is_a_dot_without_a_line():
    root = parse(line_chart(MONTHS[:3], [("a", [1, None, 2])]))
    assert len(by_class(root, "circle", "point")) == 2 and by_class(root, "polyline", "line") == []


def test_a_percent_line_chart_has_gridlines_from_0_to_100_per_cent():
    root = parse(line_chart(MONTHS, [("响应率", [0.9, 0.95, None, 0.8, 1, Decimal("0.875")])], percent=True))
    assert texts(root, "tick") == ["0%", "25%", "50%", "75%", "100%"]
    tips = [c.find("svg:title", NS).text for c in by_class(root, "circle", "point")]
    assert tips[-1] == "响应率 2025-10: 87.5%"
    ys = [float(c.get("cy")) for c in by_class(root, "circle", "point")]
    assert ys[3] < ys[0]  # 100% is drawn above 90%


def test_count_gridlines_are_round_numbers_above_the_largest_value():
    root = parse(line_chart(MONTHS[:2], [("a", [3, 17])]))
    ticks = texts(root, "tick")
    assert ticks[0] == "0" and int(ticks[-1]) >= 17 and all(t.isdigit() for t in ticks)


def test_many_periods_label_only_some_but_always_the_latest():
    weeks = [f"2025-W{n:02d}" for n in range(1, 41)]
    root = parse(line_chart(weeks, [("a", list(range(40)))], width=480))
    shown = texts(root, "x-label")
    assert 1 < len(shown) < 40 and shown[-1] == "2025-W40"
    assert len(by_class(root, "circle", "point")) == 40


@pytest.mark.parametrize("svg", [
    lambda: bar_chart([]),
    lambda: bar_chart(None, title="热点"),
    lambda: line_chart([], [("a", [])]),
    lambda: line_chart(MONTHS, []),
    lambda: line_chart(MONTHS, [("a", [None] * 6)]),
])
def test_without_data_a_chart_says_so(svg):
    with translation.override("en"):
        root = parse(svg())
    assert texts(root, "no-data") == ["No data"]
    assert by_class(root, "rect", "bar") == [] and by_class(root, "circle", "point") == []


def test_the_same_input_gives_the_same_string():
    def draw():
        return (str(bar_chart([("a", 1.1), ("b", Decimal("2.25"))], percent=False)),
                str(line_chart(MONTHS, [("a", [0.1, 0.2, None, 0.4, 0.5, 0.6]), ("b", [1] * 6)], percent=True)))

    assert draw() == draw()


def test_values_are_formatted_for_print():
    assert format_value(None) == "—"
    assert format_value(12) == "12" and format_value(Decimal("12.50")) == "12.5" and format_value(2.0) == "2"
    assert format_value(0.875, percent=True) == "87.5%" and format_value(Decimal("0.66665"), percent=True) == "66.7%"
    assert format_value(float("nan")) == "—"


def test_a_series_longer_than_the_labels_is_cut_and_a_shorter_one_padded():
    root = parse(line_chart(MONTHS[:3], [("a", [1, 2, 3, 4, 5]), ("b", [1])]))
    assert len(by_class(root, "circle", "point")) == 4
