"""Read aloud with the real espeak-ng: a demo-mall route's steps spoken to WAV files in each
visitor language, the audio's length checked against the words (nothing silent, nothing cut
short), the volume and speed settings heard in the audio, and the audio device's failures
reported instead of passing silently."""
from __future__ import annotations

import array
import math
import re
import wave
from pathlib import Path

import pytest

from kiosk.speech import Speaker, SpeechError, SpeechSettings, engine_path
from sync.bundle import load_source_bundle
from venue.routing.router import router_for
from venue.routing.wording import describe_step

pytestmark = pytest.mark.skipif(engine_path() is None, reason="espeak-ng is not installed (Debian package espeak-ng)")

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
SECONDS_PER_SYLLABLE = {"zh_CN": (0.25, 0.8), "en": (0.15, 0.5), "zh_TW": (0.25, 0.8)}
"""A sane range at the default speed, pauses at full stops included; a cut or a skipped
stretch of text falls below it, a stuck or looping engine above it."""
FRAME_S = 0.02
SILENT_RMS = 300
"""16-bit samples: espeak-ng's speech at the default volume is in the thousands."""


@pytest.fixture(scope="module")
def route_steps():
    """The demo mall's route from the 1F lobby to Gale Sports (three steps, two escalators)."""
    demo = load_source_bundle(DEMO).content
    return router_for(demo).route("lobby-1f", "gale-sports", "standard").steps


def spoken_route(steps, language: str) -> str:
    stop = ". " if language == "en" else "。"
    return stop.join(stop.join(part for part in describe_step(step, language) if part) for step in steps)


def syllables(text: str, language: str) -> float:
    """Roughly how many syllables the engine says: a Chinese character is one; an English
    word has a syllable per vowel group; numbers take about two a digit; 2F says "two F"."""
    digits = len(re.findall(r"\d", text))
    latin = re.findall(r"[A-Za-z]+", text)
    if language == "en":
        return digits * 2 + sum(max(1, len(re.findall(r"[aeiouy]+", word.lower()))) for word in latin)
    return len(re.findall(r"[\u4e00-\u9fff]", text)) + digits * 1.5 + sum(len(word) for word in latin)


def read_wav(path: Path) -> tuple[float, list[float]]:
    """(seconds, RMS of each 20 ms frame) of a 16-bit mono WAV file."""
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        rate = audio.getframerate()
        samples = array.array("h", audio.readframes(audio.getnframes()))
    size = int(rate * FRAME_S)
    frames = [samples[start:start + size] for start in range(0, len(samples), size)]
    return len(samples) / rate, [math.sqrt(sum(x * x for x in frame) / len(frame)) for frame in frames if frame]


def overall_rms(frames: list[float]) -> float:
    return math.sqrt(sum(value * value for value in frames) / len(frames))


@pytest.mark.parametrize("language", ["zh_CN", "en", "zh_TW"])
def test_a_routes_steps_are_spoken_to_a_file_in_full(route_steps, language, tmp_path):
    text = spoken_route(route_steps, language)
    assert len(route_steps) == 3 and ("68" in text), text

    path = Speaker().to_file(text, language, tmp_path / f"route-{language}.wav")

    seconds, frames = read_wav(path)
    low, high = SECONDS_PER_SYLLABLE[language]
    count = syllables(text, language)
    assert low * count <= seconds <= high * count, (text, seconds, count)
    assert overall_rms(frames) > 5 * SILENT_RMS, "not silent"
    voiced = [rms > SILENT_RMS for rms in frames]
    assert sum(voiced) / len(voiced) > 0.5, "mostly speech, not gaps where words were skipped"
    last_quarter = voiced[len(voiced) * 3 // 4:]
    assert sum(last_quarter) / len(last_quarter) > 0.3, "the last step is spoken, not cut off"


def test_traditional_characters_are_read_like_simplified_ones(tmp_path):
    speaker = Speaker()
    simplified = read_wav(speaker.to_file("步行77米到疾风运动。", "zh_CN", tmp_path / "cn.wav"))[0]
    traditional = read_wav(speaker.to_file("步行77米到疾風運動。", "zh_TW", tmp_path / "tw.wav"))[0]
    assert traditional == pytest.approx(simplified, rel=0.1), "no Traditional character is skipped or spelt"


def test_the_volume_setting_is_heard_in_the_audio(tmp_path):
    text = "Take the escalator up to 2F. Walk 9 m to the escalator."
    quiet = read_wav(Speaker(SpeechSettings(volume_percent=20)).to_file(text, "en", tmp_path / "quiet.wav"))[1]
    loud = read_wav(Speaker(SpeechSettings(volume_percent=80)).to_file(text, "en", tmp_path / "loud.wav"))[1]
    assert overall_rms(loud) / overall_rms(quiet) == pytest.approx(4, rel=0.25)
    silent = read_wav(Speaker(SpeechSettings(volume_percent=0)).to_file(text, "en", tmp_path / "off.wav"))[1]
    assert overall_rms(silent) < 1


def test_a_slower_speed_takes_longer(tmp_path):
    text = "乘扶梯上行到3F。步行77米到疾风运动。"
    normal = read_wav(Speaker().to_file(text, "zh_CN", tmp_path / "normal.wav"))[0]
    slow = read_wav(Speaker(SpeechSettings(words_per_minute=100)).to_file(text, "zh_CN", tmp_path / "slow.wav"))[0]
    assert slow > normal * 1.2


def test_bad_input_is_refused_clearly_or_says_nothing(tmp_path):
    speaker = Speaker()
    assert speaker.to_file("  \n ", "en", tmp_path / "nothing.wav") is None
    assert not (tmp_path / "nothing.wav").exists()
    with pytest.raises(ValueError, match="no voice for language 'fr'"):
        speaker.to_file("Bonjour", "fr", tmp_path / "fr.wav")
    with pytest.raises(ValueError, match="volume must be 0–100"):
        SpeechSettings(volume_percent=150)
    # Text that looks like an option is spoken, not taken as one.
    assert speaker.to_file("--help -v", "en", tmp_path / "dashes.wav") is not None


def test_playing_on_a_missing_audio_device_is_reported(monkeypatch, tmp_path):
    """espeak-ng exits 0 even when no device opens; the speaker reads its complaint."""
    no_devices = tmp_path / "asound.conf"
    no_devices.write_text("# no PCM devices at all\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(no_devices))
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-pulse'}")
    speaker = Speaker()
    speaker.say("Walk 68 m to the escalator.", "en")
    with pytest.raises(SpeechError, match="audio device could not play speech"):
        speaker.wait()


def test_playing_on_a_device(monkeypatch, tmp_path):
    """ALSA's null device stands in for the loudspeaker: it takes the audio without a sound card
    (and without pacing it, so how long playing takes is not checked here)."""
    null_device = tmp_path / "asound.conf"
    null_device.write_text("pcm.!default { type null }\n")
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(null_device))
    monkeypatch.setenv("PULSE_SERVER", f"unix:{tmp_path / 'no-pulse'}")
    speaker = Speaker()
    speaker.say("步行六十八米到扶梯。" * 20, "zh_CN")
    speaker.say("Walk 68 m to the escalator.", "en")  # "repeat" stops what is still being said
    speaker.wait(timeout_s=20)  # played without a complaint
    speaker.stop()
