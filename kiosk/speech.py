"""Read aloud: a screen's words spoken in the visitor's language by espeak-ng, offline.

espeak-ng (Debian's `espeak-ng`) is the engine: it runs on the kiosk without a network, speaks
Mandarin from both Simplified and Traditional characters (its `cmn` voice reads 疾风 and 疾風
alike) and English, and is maintained in Debian. No maintained offline package offers a better
Mandarin voice: the neural ones (Piper, sherpa-onnx) need voice models fetched from a model hub,
which a kiosk's install cannot rely on. zh_TW visitors read Traditional characters but speak
Mandarin, so both Chinese languages use `cmn`.

The speaker either writes a WAV file (tests, and a screen that plays it itself) or plays on the
kiosk's audio device through espeak-ng's own output (PulseAudio or ALSA). Speaking again stops
what is still being said, so "repeat" and a new screen never talk over each other.
"""
from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from sync.protocol import LANGUAGES

ENGINE = "espeak-ng"
VOICES = {"zh_CN": "cmn", "en": "en", "zh_TW": "cmn"}
"""espeak-ng's voice for each visitor language."""
assert set(VOICES) == set(LANGUAGES)

MAX_AMPLITUDE = 200
"""espeak-ng's loudest amplitude (its default is 100)."""
SLOWEST_WPM, FASTEST_WPM = 80, 260
DEFAULT_WPM = 150
"""Somewhat slower than espeak-ng's 175: elderly visitors and visitors reading along."""
MAX_CHARACTERS = 4000
"""A screen's main content fits well within this; more is cut rather than spoken for minutes."""
SPEAK_TIMEOUT_S = 120


class SpeechError(RuntimeError):
    """Speech could not be produced or played: the engine is missing or the device failed."""


def engine_path() -> str | None:
    """Where espeak-ng is installed, or None."""
    return shutil.which(ENGINE)


@dataclass(frozen=True)
class SpeechSettings:
    """How loud and how fast the kiosk speaks; the volume is set from the console."""

    volume_percent: int = 70
    """0 (silent) … 100 (espeak-ng's loudest); 50 is espeak-ng's default loudness."""
    words_per_minute: int = DEFAULT_WPM

    def __post_init__(self) -> None:
        if not 0 <= self.volume_percent <= 100:
            raise ValueError(f"volume must be 0–100 %, not {self.volume_percent}")
        if not SLOWEST_WPM <= self.words_per_minute <= FASTEST_WPM:
            raise ValueError(f"speed must be {SLOWEST_WPM}–{FASTEST_WPM} words a minute, not {self.words_per_minute}")

    @property
    def amplitude(self) -> int:
        return round(self.volume_percent * MAX_AMPLITUDE / 100)


class Speaker:
    """Speaks text in a visitor language, to a WAV file or to the audio device."""

    def __init__(self, settings: SpeechSettings | None = None) -> None:
        self.settings = settings or SpeechSettings()
        self._playing: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def to_file(self, text: str, language: str, path: Path) -> Path | None:
        """Write `text` spoken in `language` to a WAV file; None when there is nothing to say."""
        words = _speakable(text)
        if not words:
            return None
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            self._command(language) + ["-w", str(path)], input=words.encode("utf-8"),
            capture_output=True, timeout=SPEAK_TIMEOUT_S, check=False,
        )
        if result.returncode != 0 or not path.exists() or path.stat().st_size <= 44:
            raise SpeechError(f"espeak-ng wrote no audio: {result.stderr.decode(errors='replace').strip()}")
        return path

    def say(self, text: str, language: str) -> None:
        """Start speaking on the audio device and return; stops anything still being said."""
        self.stop()
        words = _speakable(text)
        if not words:
            return
        process = subprocess.Popen(
            self._command(language), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        assert process.stdin is not None
        process.stdin.write(words.encode("utf-8"))
        process.stdin.close()
        with self._lock:
            self._playing = process

    def wait(self, timeout_s: float = SPEAK_TIMEOUT_S) -> None:
        """Wait until the current utterance ends; SpeechError if the device could not play it.

        espeak-ng exits 0 even when no audio device opens; its complaint on stderr tells."""
        with self._lock:
            process, self._playing = self._playing, None
        if process is None:
            return
        process.wait(timeout=timeout_s)
        assert process.stderr is not None
        with process.stderr:
            complaint = process.stderr.read().decode(errors="replace").strip()
        if process.returncode != 0 or "error" in complaint.lower():
            last_line = complaint.splitlines()[-1] if complaint else f"exit status {process.returncode}"
            raise SpeechError(f"the audio device could not play speech: {last_line}")

    def stop(self) -> None:
        """Stop speaking now (the visitor left, pressed repeat or turned read-aloud off)."""
        with self._lock:
            process, self._playing = self._playing, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process is not None and process.stderr is not None:
            process.stderr.close()

    def _command(self, language: str) -> list[str]:
        voice = VOICES.get(language)
        if voice is None:
            raise ValueError(f"no voice for language {language!r}; expected one of {', '.join(VOICES)}")
        engine = engine_path()
        if engine is None:
            raise SpeechError("espeak-ng is not installed (Debian package espeak-ng)")
        # -b 1: the text is UTF-8; read from stdin so no text is ever taken for an option.
        return [engine, "-v", voice, "-a", str(self.settings.amplitude),
                "-s", str(self.settings.words_per_minute), "-b", "1"]


def _speakable(text: str) -> str:
    """The text as one utterance: whitespace folded, capped at MAX_CHARACTERS."""
    return " ".join(text.split())[:MAX_CHARACTERS]
