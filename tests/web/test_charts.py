"""The SVG charts: well-formed, accessible, proportional, inside their viewBox, text escaped, empty data drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.web import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
SCRIPT = "<script>alert(1)</script>"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def _view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(part) for part in root.attrib["viewBox"].split())
    return width, height


def _bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iterfind(".//svg:rect", NS) if "data-value" in rect.attrib]


def _is_accessible(root: ET.Element, title: str) -> None:
    assert root.attrib["role"] == "img" and root.attrib["aria-label"] == title
    assert root.findtext("svg:title", namespaces=NS) == title
    assert root.findtext("svg:desc", namespaces=NS)


counts = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60)


@given(counts)
def test_bar_heights_are_proportional_to_values_and_inside_the_view_box(values: list[int]) -> None:
    root = _parse(charts.stacked_bars("Incidents", "per week", [f"W{i}" for i in range(len(values))],
                                      [charts.Series("all", [float(v) for v in values])]))  # fmt: skip
    width, height = _view_box(root)
    bars = _bars(root)
    assert len(bars) == sum(1 for v in values if v > 0)
    if not bars:
        assert "No data" in ET.tostring(root, encoding="unicode")
        return
    scale = charts.nice_ceiling(max(values)) / (charts.HEIGHT - charts.TOP - charts.BOTTOM)
    for bar in bars:
        x, y = float(bar.attrib["x"]), float(bar.attrib["y"])
        w, h = float(bar.attrib["width"]), float(bar.attrib["height"])
        assert x >= 0 and x + w <= width + 0.01 and y >= 0 and y + h <= height + 0.01
        assert abs(h * scale - float(bar.attrib["data-value"])) <= 0.01 * scale * 2 + 1e-9
    tallest = max(bars, key=lambda bar: float(bar.attrib["data-value"]))
    assert float(tallest.attrib["height"]) <= charts.HEIGHT - charts.TOP - charts.BOTTOM + 0.01


@given(st.lists(st.lists(st.integers(min_value=0, max_value=500), min_size=4, max_size=4), min_size=1, max_size=20))
def test_stacked_bars_sum_to_the_total_and_stay_above_the_axis(weeks: list[list[int]]) -> None:
    series = [charts.Series(f"S{s}", [float(week[s]) for week in weeks]) for s in range(4)]
    root = _parse(charts.stacked_bars("Incidents", "stacked", [str(i) for i in range(len(weeks))], series))
    bars = _bars(root)
    axis = charts.HEIGHT - charts.BOTTOM
    for bar in bars:
        assert float(bar.attrib["y"]) >= charts.TOP - 0.05
        assert float(bar.attrib["y"]) + float(bar.attrib["height"]) <= axis + 0.05


@given(st.lists(st.integers(min_value=0, max_value=1_000), min_size=1, max_size=30))
def test_horizontal_bar_widths_are_proportional_and_inside(values: list[int]) -> None:
    labels = [f"person {i}" for i in range(len(values))]
    root = _parse(charts.horizontal_bars("Pages", "per person", labels, [float(v) for v in values]))
    width, height = _view_box(root)
    bars = _bars(root)
    if not any(values):
        assert not bars
        return
    widest = max(bars, key=lambda bar: float(bar.attrib["data-value"]))
    per_unit = float(widest.attrib["width"]) / float(widest.attrib["data-value"])
    for bar in bars:
        assert abs(float(bar.attrib["width"]) - float(bar.attrib["data-value"]) * per_unit) <= 0.02
    for bar in bars:
        assert float(bar.attrib["x"]) + float(bar.attrib["width"]) <= width + 0.01
        assert float(bar.attrib["y"]) + float(bar.attrib["height"]) <= height + 0.01


def test_every_chart_is_accessible_and_escapes_its_text() -> None:
    made = [
        charts.stacked_bars(
            SCRIPT, SCRIPT, [SCRIPT, "b"], [charts.Series(SCRIPT, [1.0, 2.0]), charts.Series("x", [1, 0])]
        ),
        charts.line(SCRIPT, SCRIPT, [SCRIPT, "b", "c"], [60.0, None, 120.0], lambda v: f"{v:.0f}s"),
        charts.horizontal_bars(SCRIPT, SCRIPT, [SCRIPT], [3.0]),
        charts.no_data(SCRIPT, SCRIPT),
    ]
    for markup in made:
        assert SCRIPT not in markup and "&lt;script&gt;" in markup
        root = _parse(markup)  # well-formed XML
        _is_accessible(root, SCRIPT)
        assert "currentColor" in markup  # axes and text follow the page's colour scheme


def test_empty_data_renders_a_no_data_chart() -> None:
    for markup in (
        charts.stacked_bars("Incidents per week", "d", [], []),
        charts.stacked_bars("Incidents per week", "d", ["W1", "W2"], [charts.Series("SEV-1", [0.0, 0.0])]),
        charts.line("MTTR per month", "d", ["Jan"], [None]),
        charts.line("MTTR per month", "d", [], []),
        charts.horizontal_bars("On-call load", "d", [], []),
    ):
        root = _parse(markup)
        assert not _bars(root)
        assert "No data" in markup
        _is_accessible(root, root.attrib["aria-label"])


def test_the_line_breaks_where_a_value_is_missing_and_marks_each_known_point() -> None:
    root = _parse(charts.line("MTTR", "d", ["a", "b", "c", "d", "e"], [10.0, 20.0, None, 30.0, 40.0]))
    assert len(root.findall(".//svg:polyline", NS)) == 2
    dots = root.findall(".//svg:circle", NS)
    assert [dot.attrib["data-value"] for dot in dots] == ["10", "20", "30", "40"]
    top = charts.nice_ceiling(40)
    axis = charts.HEIGHT - charts.BOTTOM
    plot = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert abs((axis - float(dots[-1].attrib["cy"])) - 40 / top * plot) < 0.01


def test_many_labels_are_thinned_so_they_do_not_overlap() -> None:
    labels = [f"2026-W{i:02d}" for i in range(1, 54)]
    markup = charts.stacked_bars("Weeks", "d", labels, [charts.Series("all", [1.0] * 53)])
    shown = [label for label in labels if f">{label}</text>" in markup]
    assert 1 < len(shown) <= charts.MAX_X_LABELS


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per label"):
        charts.stacked_bars("t", "d", ["a", "b"], [charts.Series("s", [1.0])])
    with pytest.raises(ValueError, match="negative"):
        charts.horizontal_bars("t", "d", ["a"], [-1.0])


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [
        (0, 1, 0.25),
        (1, 1, 1),
        (3, 3, 1),
        (4, 4, 1),
        (5, 6, 2),
        (7, 8, 2),
        (11, 15, 5),
        (39, 40, 10),
        (86_400, 100_000, 25_000),
    ],
)
def test_the_axis_is_cut_at_round_steps(value: float, top: float, step: float) -> None:
    assert charts.axis_scale(value) == pytest.approx((top, step))


@given(st.floats(min_value=0.001, max_value=1e9))
def test_the_axis_top_covers_the_largest_value_in_a_few_round_steps(value: float) -> None:
    top, step = charts.axis_scale(value)
    assert value <= top * (1 + 1e-9)
    assert 1 <= round(top / step) <= 8 and abs(top / step - round(top / step)) < 1e-6
    if value >= 1:
        assert step == int(step)  # counts get whole-number ticks
