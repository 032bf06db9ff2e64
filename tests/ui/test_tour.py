"""`python -m kiosk tour` renders every screen in every language, in a process of its own
(Kivy allows one window per process, and this suite's window is taken), and on the way checks
that every label's text fits on every screen, in every language, in both orientations: the
landscape walk saves the pictures, the portrait walk only checks (screens.overflow)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from PIL import Image

from screens.overflow import label_overflows
from screens.tour import OVERFLOW_REPORT, SCREENS, TOUR_LANGUAGES, TOUR_SIZE
from screens.widgets.store_list import StoreRow
from screens.widgets.typeset import TypesetLabel

pytestmark = pytest.mark.ui
REPOSITORY = Path(__file__).resolve().parents[2]
TOUR_TIMEOUT_S = 900  # ~100 screens on a software renderer; a shared machine can take minutes


def run_tour(tmp_path: Path, *options: str) -> Path:
    out = tmp_path / "tour"
    environment = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy")}
    environment.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "tour", "--out", str(out), *options],
        cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=TOUR_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def assert_everything_fits(out: Path) -> None:
    report = (out / OVERFLOW_REPORT).read_text(encoding="utf-8")
    assert report == "", f"text that does not fit:\n{report}"


@pytest.mark.timeout(TOUR_TIMEOUT_S + 60)
def test_tour_writes_every_screen_in_every_language_and_all_text_fits(tmp_path):
    out = run_tour(tmp_path)
    for screen in SCREENS:
        for language in TOUR_LANGUAGES:
            path = out / f"{screen}-{language}.png"
            assert path.is_file(), f"{path.name} is missing"
            with Image.open(path) as image:
                assert image.size == TOUR_SIZE
                colours = image.convert("RGB").resize((64, 36)).getcolors(64 * 36)
                assert colours is None or len(colours) > 8, f"{path.name} looks blank"
    assert_everything_fits(out)


@pytest.mark.timeout(TOUR_TIMEOUT_S + 60)
def test_all_text_fits_on_the_portrait_panel(tmp_path):
    out = run_tour(tmp_path, "--portrait", "--check-only")
    assert not list(out.glob("*.png")), "a check-only walk saves no pictures"
    assert_everything_fits(out)


def laid_out(label: Label) -> Label:
    label.texture_update()
    return label


def problems(label: Label) -> list[str]:
    return [overflow.problem for overflow in label_overflows(laid_out(label))]


def test_the_check_finds_text_wider_or_taller_than_its_box():
    wide = Label(text="Harvest Joy Supermarket", font_size=30, size=(120, 60))
    assert problems(wide) == ["wider than its box"]
    tall = Label(text="Harvest Joy Supermarket, basement one", font_size=30, size=(200, 40))
    tall.text_size = (200, None)
    assert problems(laid_out(tall)) == ["taller than its box"]
    fits = Label(text="Harvest Joy", font_size=30, size=(400, 60), text_size=(400, 60))
    assert problems(fits) == []


def test_the_check_finds_words_cut_off():
    shortened = Label(text="Harvest Joy Supermarket · B1-01", font_size=30, size=(200, 60),
                      text_size=(200, 60), shorten=True)
    assert problems(shortened)[0].startswith("cut (")
    chinese = TypesetLabel(text="请带上您的购物小票到一楼服务台办理退换货手续", font_size=30, size=(200, 60),
                           text_size=(200, 60), max_lines=1)
    found = problems(chinese)
    assert found and found[0].startswith("cut (ellipsis)"), found


def test_a_store_row_may_shorten_its_name_since_it_opens_the_store_page():
    row = StoreRow()
    holder = BoxLayout()
    name = Label(text="Harvest Joy Supermarket · B1-01", font_size=30, size=(200, 60), text_size=(200, 60),
                 shorten=True, shorten_from="right")
    holder.add_widget(name)
    row.add_widget(holder)
    assert problems(name) == []
