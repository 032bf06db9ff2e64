"""Where names go on a floor plan (venue.plan_labels), without a window: the deepest point of
a unit, the ways to write a name, and the greedy placement that drops only what cannot fit."""
from __future__ import annotations

import random
from itertools import combinations

import pytest

from venue.plan_labels import (
    BoxIndex,
    LabelRequest,
    box_in_polygon,
    boxes_overlap,
    edge_distance,
    leader_end,
    line_variants,
    place_labels,
    pole_of_inaccessibility,
    segment_crosses_box,
)
from venue.typesetting import CLOSING, has_cjk

L_SHAPE = [(0, 0), (40, 0), (40, 10), (10, 10), (10, 40), (0, 40)]


def measure(text: str, size: float) -> tuple[float, float]:
    """A stand-in for the font: a Chinese character is a square, a Latin one about half."""
    lines = text.split("\n")
    return (max(sum(size if has_cjk(ch) else 0.55 * size for ch in line) for line in lines), 1.2 * size * len(lines))


def rectangle(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def test_the_deepest_point_of_an_l_shaped_unit_is_inside_it_not_its_centroid():
    (x, y), room = pole_of_inaccessibility(L_SHAPE, precision=0.1)
    assert edge_distance(x, y, L_SHAPE) == pytest.approx(room)
    # on the diagonal, as far from the walls as from the inner corner: t = √2 (10 − t)
    assert x == pytest.approx(5.858, abs=0.2) and y == pytest.approx(5.858, abs=0.2)
    (cx, cy), room = pole_of_inaccessibility(rectangle(0, 0, 100, 20), precision=0.1)
    assert room == pytest.approx(10.0, abs=0.2) and 10 <= cx <= 90 and cy == pytest.approx(10, abs=0.2)


def test_a_box_is_inside_a_polygon_only_when_no_corner_pokes_into_it():
    assert box_in_polygon((1, 1, 8, 30), L_SHAPE)
    assert not box_in_polygon((1, 1, 20, 20), L_SHAPE)  # crosses the inner corner
    assert not box_in_polygon((-1, 1, 5, 5), L_SHAPE)


def test_a_chinese_name_breaks_between_two_character_words_never_leaving_one_alone():
    variants = line_variants("可颂和面包")
    assert variants[0] == "可颂和面包"
    assert "可颂\n和面包" in variants
    assert all(len(line) >= 2 for variant in variants[1:] if "\n" in variant and len(variant) > 6
               for line in variant.split("\n"))
    assert "可颂和\n面包" not in variants  # 和 belongs with 面包: the break is after 可颂
    assert "可\n颂\n和\n面\n包" not in variants  # five characters are too many to stand upright


def test_chinese_names_three_lines_and_upright():
    assert "禾乐\n生活\n超市" in line_variants("禾乐生活超市")
    assert "禾乐生活\n超市" in line_variants("禾乐生活超市") or "禾乐\n生活超市" in line_variants("禾乐生活超市")
    assert "澜\n颜\n美\n妆" in line_variants("澜颜美妆")
    assert line_variants("一叶") == ["一叶", "一\n叶"]


def test_no_line_of_a_chinese_name_starts_with_closing_punctuation():
    for variant in line_variants("星河（旗舰）店，欢迎光临"):
        assert not any(line[0] in CLOSING for line in variant.split("\n"))


def test_an_english_name_breaks_between_words_only():
    variants = line_variants("Harvest Joy Supermarket")
    assert variants == ["Harvest Joy Supermarket", "Harvest Joy\nSupermarket", "Harvest\nJoy\nSupermarket"]
    assert line_variants("Starbucks") == ["Starbucks"]
    assert line_variants("  Cloud   Coffee ") == ["Cloud Coffee", "Cloud\nCoffee"]


def test_a_name_that_fits_goes_inside_its_unit_at_the_largest_size():
    unit = rectangle(0, 0, 200, 100)
    plan = place_labels([LabelRequest("a", "Cloud Coffee", unit)], measure, (24, 18), (0, 0, 500, 500))
    (label,) = plan.placed
    assert label.inside and label.font_size == 24 and label.text == "Cloud Coffee"
    assert box_in_polygon(label.box, unit)


def test_a_narrow_unit_takes_its_name_in_lines_or_upright():
    plan = place_labels([LabelRequest("a", "澜颜美妆", rectangle(0, 0, 30, 120))], measure, (24, 18), (0, 0, 500, 500))
    assert plan.placed[0].text == "澜\n颜\n美\n妆" and plan.placed[0].inside


def test_names_never_overlap_each_other_markers_or_controls_and_only_the_unplaceable_are_dropped():
    rng = random.Random(7)
    units = [rectangle(20 + (i % 10) * 40, 20 + (i // 10) * 60, 38, 50) for i in range(50)]
    requests = [LabelRequest(f"s{i}", rng.choice(["Cloud Coffee", "Gale Sports", "云朵咖啡", "Ink & Paper"]) + str(i),
                             unit) for i, unit in enumerate(units)]
    control = (300, 200, 120, 100)
    marker = (100, 100, 30, 30)
    view = (0, 0, 460, 360)
    plan = place_labels(requests, measure, (24, 21, 18, 16), view, [control, marker])
    boxes = [label.box for label in plan.placed]
    assert not any(boxes_overlap(a, b) for a, b in combinations(boxes, 2))
    assert not any(boxes_overlap(box, control) or boxes_overlap(box, marker) for box in boxes)
    assert all(0 <= x and 0 <= y and x + w <= 460 and y + h <= 360 for x, y, w, h in boxes)
    assert len(plan.placed) + len(plan.dropped) == 50 and plan.dropped
    assert len(plan.placed) >= 30
    # A dropped name had no room: none of its candidates at the smallest size was free.
    for label in plan.placed:
        if label.leader is not None:
            assert not label.inside
            assert not any(segment_crosses_box(label.leader, leader_end(label.leader, label.box), other)
                           for other in boxes if other != label.box)


def test_a_dense_floor_takes_the_smaller_sizes_and_names_more_and_a_roomy_one_never_does():
    rng = random.Random(11)
    units = [rectangle(20 + (i % 10) * 40, 20 + (i // 10) * 60, 38, 50) for i in range(50)]
    requests = [LabelRequest(f"s{i}", rng.choice(["Classroom", "Lab", "Auditorium"]) + f" {100 + i}", unit)
                for i, unit in enumerate(units)]
    view = (0, 0, 460, 360)
    plain = place_labels(requests, measure, (24, 21, 18, 16), view)
    dense = place_labels(requests, measure, (24, 21, 18, 16), view, dense_sizes=(14,))
    assert len(dense.placed) > len(plain.placed)
    assert min(label.font_size for label in dense.placed) == 14
    assert not any(boxes_overlap(a.box, b.box) for a, b in combinations(dense.placed, 2))
    roomy = place_labels([LabelRequest("a", "Cloud Coffee", rectangle(0, 0, 200, 100))], measure, (24, 18),
                         (0, 0, 500, 500), dense_sizes=(14,))
    assert roomy.placed[0].font_size == 24


def test_the_chosen_store_is_placed_first():
    crowded = rectangle(0, 0, 80, 30)
    requests = [LabelRequest("neighbour", "Shop", crowded), LabelRequest("chosen", "Chosen", crowded, priority=3)]
    plan = place_labels(requests, measure, (24,), (0, 0, 80, 30), gap=0)
    assert [label.key for label in plan.placed] == ["chosen"] and plan.dropped == ["neighbour"]


def test_chinese_names_keep_their_minimum_size():
    plan = place_labels([LabelRequest("a", "云朵咖啡", rectangle(0, 0, 40, 40), min_font=18)], measure, (24, 18, 12),
                        (0, 0, 400, 400))
    assert plan.placed[0].font_size >= 18


def test_the_box_index_finds_neighbours_across_cells_and_segments_through_boxes():
    index = BoxIndex([(60, 60, 10, 10)], cell=32)
    assert index.hits((68, 68, 10, 10), 0)
    assert index.hits((71, 60, 5, 5), 2) and not index.hits((75, 60, 5, 5), 2)
    assert index.crossed((0, 65), (100, 65)) and not index.crossed((0, 80), (100, 80))
    assert leader_end((0, 0), (10, 10, 5, 5)) == (10, 10)
