"""`python -m kiosk tour` renders every screen in every language, in a process of its own
(Kivy allows one window per process, and this suite's window is taken)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from screens.tour import SCREENS, TOUR_LANGUAGES, TOUR_SIZE

pytestmark = pytest.mark.ui
REPOSITORY = Path(__file__).resolve().parents[2]
TOUR_TIMEOUT_S = 900  # ~100 screens on a software renderer; a shared machine can take minutes


@pytest.mark.timeout(TOUR_TIMEOUT_S + 60)
def test_tour_writes_every_screen_in_every_language(tmp_path):
    environment = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy")}
    environment.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "tour", "--out", str(tmp_path / "tour")],
        cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=TOUR_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for screen in SCREENS:
        for language in TOUR_LANGUAGES:
            path = tmp_path / "tour" / f"{screen}-{language}.png"
            assert path.is_file(), f"{path.name} is missing"
            with Image.open(path) as image:
                assert image.size == TOUR_SIZE
                colours = image.convert("RGB").resize((64, 36)).getcolors(64 * 36)
                assert colours is None or len(colours) > 8, f"{path.name} looks blank"
