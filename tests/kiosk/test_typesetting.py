"""Chinese line breaking and ellipsis (venue.typesetting) with a measure that counts characters."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from venue.typesetting import (
    CLOSING,
    ELLIPSIS,
    OPENING,
    break_lines,
    can_break_before,
    clamp_lines,
    has_cjk,
    shorten,
)


def width(columns: int):
    return lambda line: len(line) <= columns


def test_a_full_stop_moves_down_with_the_character_before_it():
    # Nine columns: a plain cut would start the second line with "。".
    lines = break_lines("请走最近的安全出口。谢谢合作", width(9))
    assert lines == ["请走最近的安全出", "口。谢谢合作"]


def test_an_opening_bracket_goes_down_to_the_line_it_opens():
    lines = break_lines("请到服务台（一楼）登记", width(6))
    assert lines == ["请到服务台", "（一楼）登记"]
    assert not any(line.endswith("（") for line in lines)


def test_latin_words_are_not_split_and_spaces_stay_at_the_end_of_the_line():
    lines = break_lines("Leave by the nearest exit", width(12))
    assert lines == ["Leave by the ", "nearest exit"]


def test_a_last_line_of_one_character_takes_one_more_from_the_line_before():
    assert break_lines("楼层平面图和您的位置", width(9)) == ["楼层平面图和您的", "位置"]
    assert break_lines("请带到服务台。", width(6)) == ["请带到服", "务台。"]
    assert break_lines("ab 字", width(3)) == ["ab ", "字"], "only when the break before is legal"


def test_newlines_always_break():
    assert break_lines("一楼\n二楼", width(10)) == ["一楼", "二楼"]


def test_a_column_too_narrow_for_any_legal_break_still_makes_progress():
    assert break_lines("。。。。", width(2)) == ["。。", "。。"]
    assert break_lines("字", width(0)) == ["字"]


def test_shorten_ends_with_an_ellipsis_only_when_cut():
    assert shorten("寻找走失儿童", width(10)) == "寻找走失儿童"
    assert shorten("寻找走失儿童，身穿红色外套", width(8)) == "寻找走失儿童，" + ELLIPSIS
    assert shorten("请到（服务台）", width(4)) == "请到" + ELLIPSIS, "never ends on an opening bracket"


def test_clamp_keeps_the_box_and_marks_the_cut():
    lines = clamp_lines("一二三四五六七八九十", width(4), 2)
    assert lines == ["一二三四", "五六七" + ELLIPSIS]
    assert clamp_lines("一二三", width(4), 2) == ["一二三"]


def test_only_chinese_text_is_typeset():
    assert has_cjk("寻找") and has_cjk("（") and not has_cjk("Lost child, 5 years")


chinese = st.text(alphabet="请走最近的出口安全谢合作一楼儿童" + "".join(CLOSING) + "".join(OPENING) + " ab1",
                  max_size=60).filter(lambda text: "\n" not in text)


@settings(max_examples=300, deadline=None)
@given(text=chinese, columns=st.integers(min_value=1, max_value=14))
def test_joining_the_lines_gives_back_the_text(text, columns):
    assert "".join(break_lines(text, width(columns))) == text


def longest_fitting_end(text: str, start: int, columns: int) -> int:
    fitting = [end for end in range(start + 1, len(text) + 1) if len(text[start:end].rstrip()) <= columns]
    return max(fitting, default=start + 1)


@settings(max_examples=300, deadline=None)
@given(text=chinese, columns=st.integers(min_value=1, max_value=14))
def test_no_rule_is_broken_where_a_legal_break_exists(text, columns):
    start = 0
    lines = break_lines(text, width(columns))
    for line in lines[:-1]:
        end = start + len(line)
        if not can_break_before(text, end):
            reachable = longest_fitting_end(text, start, columns)
            assert not any(can_break_before(text, i) for i in range(start + 1, min(reachable, len(text) - 1) + 1)), line
        start = end


@settings(max_examples=200, deadline=None)
@given(text=chinese, columns=st.integers(min_value=1, max_value=14))
def test_every_line_fits(text, columns):
    assert all(len(line.rstrip()) <= columns for line in break_lines(text, width(columns)))
