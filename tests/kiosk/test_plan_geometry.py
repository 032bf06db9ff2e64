"""The floor plan's maths (venue.plan_geometry) without a window: turning, fitting, zooming,
hit-testing, the route's drawing animation and where labels and name tags go."""
from __future__ import annotations

import pytest

from venue.plan_geometry import (
    caption_position,
    clamp_pan,
    covered_area,
    cut_polyline,
    fit,
    focus_corners,
    pan_for_zoom,
    point_in_polygon,
    polygon_centroid,
    rotate,
    route_arrows,
    zoomed,
)

L_SHAPE = [(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)]
"""A concave (L-shaped) unit: a 4 × 1 foot along x and a 1 × 3 leg up the y axis."""


def test_rotation_turns_counter_clockwise_and_back():
    assert rotate(1, 0, 90) == pytest.approx((0, 1))
    assert rotate(0, 1, 90) == pytest.approx((-1, 0))
    assert rotate(*rotate(3.5, -2, 37), -37) == pytest.approx((3.5, -2))


def test_a_tap_in_the_notch_of_a_concave_shape_misses_it():
    assert point_in_polygon(0.5, 3, L_SHAPE)
    assert point_in_polygon(2, 0.5, L_SHAPE)
    assert not point_in_polygon(3, 3, L_SHAPE)
    assert not point_in_polygon(-1, 0.5, L_SHAPE)


def test_centroid_weighs_by_area_and_falls_back_to_the_vertex_mean():
    assert polygon_centroid([(0, 0), (2, 0), (2, 2), (0, 2)]) == pytest.approx((1, 1))
    assert polygon_centroid([(0, 0), (0, 2), (2, 2), (2, 0)]) == pytest.approx((1, 1))  # clockwise too
    assert polygon_centroid(L_SHAPE) == pytest.approx((9.5 / 7, 9.5 / 7))
    assert polygon_centroid([(0, 0), (1, 0), (2, 0)]) == pytest.approx((1, 0))


def test_focus_keeps_room_around_the_points_and_a_minimum_span():
    assert focus_corners([(10, 10)], 70) == [(-25, -25), (45, 45), (-25, 45), (45, -25)]
    # wider than the minimum span along x: ten metres beyond the points; along y the minimum
    assert focus_corners([(0, 0), (100, 20)], 70) == [(-10, -25), (110, 45), (-10, 45), (110, -25)]


def test_fit_fills_the_view_inside_its_margin_and_centres_the_other_way():
    scale, origin = fit([(0, 0), (100, 50)], (0, 0, 1000, 600))
    assert scale == pytest.approx(9.52)  # (1000 - 2 × 24 margin) / 100 m
    assert origin == pytest.approx((24, 62))  # centred in the 552 px left for 476 px of plan
    assert origin[0] + 100 * scale == pytest.approx(1000 - 24)


def test_fit_keeps_clear_of_the_reserved_strips():
    view = (10, 20, 1000, 600)
    scale, (ox, oy) = fit([(0, 0), (100, 50)], view, top_reserve=100, bottom_reserve=50, right_reserve=200)
    assert scale == pytest.approx(7.52)
    assert (ox, oy) == pytest.approx((34, 107))
    assert oy >= 20 + 50 and oy + 50 * scale <= 20 + 600 - 100
    assert ox + 100 * scale <= 10 + 1000 - 200


def test_zoom_scales_about_the_centre_then_pans():
    scale, origin = zoomed(2, (10, 20), (100, 100), 2, (5, -5))
    assert scale == 4
    assert origin == pytest.approx((-75, -65))


def test_zooming_about_a_finger_keeps_the_plan_point_under_it():
    fitted_scale, fitted_origin, centre = 3.0, (50.0, 60.0), (400.0, 300.0)
    finger = (520.0, 250.0)

    def plan_point_under(zoom: float, pan: tuple[float, float]) -> tuple[float, float]:
        scale, origin = zoomed(fitted_scale, fitted_origin, centre, zoom, pan)
        return ((finger[0] - origin[0]) / scale, (finger[1] - origin[1]) / scale)

    before = plan_point_under(1.5, (12.0, -8.0))
    pan = pan_for_zoom(finger, centre, 1.5, 4.0, (12.0, -8.0))
    assert plan_point_under(4.0, pan) == pytest.approx(before)


def test_pan_never_goes_further_than_the_zoomed_plan_reaches():
    assert clamp_pan(1000, -1000, 800, 600, 2) == (800, -600)
    assert clamp_pan(10, 20, 800, 600, 1) == (10, 20)


def test_the_route_is_drawn_up_to_a_share_of_its_length():
    points = [(0, 0), (10, 0), (10, 10)]
    assert cut_polyline(points, 1.0) == [0, 0, 10, 0, 10, 10]
    assert cut_polyline(points, 0.75) == pytest.approx([0, 0, 10, 0, 10, 5])
    assert cut_polyline(points, 0.25) == pytest.approx([0, 0, 5, 0])
    assert cut_polyline(points, -1) == pytest.approx([0, 0, 0, 0])
    assert cut_polyline([(3, 4)], 0.5) == [3, 4]


def test_direction_arrows_go_along_the_route_every_spacing_and_not_at_its_end():
    arrows = route_arrows([(0, 0), (100, 0), (100, 100)], 40)
    assert [point for point, _angle in arrows] == [(20, 0), (60, 0), (100, 0), (100, 40)]
    assert [round(angle, 3) for _point, angle in arrows] == [0, 0, 0, 1.571]
    assert route_arrows([(0, 0), (10, 0)], 40) == []  # a short walk: the line says enough


def test_covered_area():
    assert covered_area((0, 0, 10, 10), [(5, 5, 10, 10), (20, 20, 5, 5)]) == 25


def test_a_name_tag_goes_where_it_hides_the_least_of_the_units_names():
    """Above its marker, else below, right or left, clear of other tags: the first place that
    hides no unit's name, or the one that hides the least of them."""
    view, point, tag = (0, 0, 800, 600), (400, 300), (120, 40)
    above, below, right, left = (340, 326), (340, 234), (426, 280), (254, 280)
    names: list[tuple[float, float, float, float]] = []
    tags: list[tuple[float, float, float, float]] = []
    assert caption_position(point, 16, tag, view, tags, names) == above
    names.append((350, 330, 100, 30))  # a unit's name just above the marker
    assert caption_position(point, 16, tag, view, tags, names) == below
    names.append((330, 250, 40, 20))  # and one below
    assert caption_position(point, 16, tag, view, tags, names) == right
    tags.append((430, 276, 200, 60))  # another tag on the right
    assert caption_position(point, 16, tag, view, tags, names) == left
    names.append((240, 290, 20, 10))  # names everywhere: the least hidden
    assert caption_position(point, 16, tag, view, tags, names) == left
    names.append((250, 280, 130, 40))
    assert caption_position(point, 16, tag, view, tags, names) == below


def test_a_name_tag_stays_inside_the_view():
    view, tag = (0, 0, 800, 600), (120, 40)
    assert caption_position((400, 590), 16, tag, view, [], []) == (340, 556)  # above, pushed down
    assert caption_position((2, 300), 16, tag, view, [], []) == (4, 326)  # pushed right
    # every place overlaps a tag: above the marker anyway
    assert caption_position((400, 300), 16, tag, view, [view], []) == (340, 326)
