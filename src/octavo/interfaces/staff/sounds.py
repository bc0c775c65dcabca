"""The desk's three short sounds, made here as WAV files with the standard library.

A sound is never the only signal (the line also has a colour and words, WCAG 1.4.1), so the
tones only need to differ: one bright beep for done, two for "look at this", a falling pair
for a block or an error. No third-party audio files.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import lru_cache

RATE = 16_000  # samples a second: plenty for a beep, small files (about 3 to 13 KB)
VOLUME = 0.35  # of full scale: audible at a busy desk without startling anyone
RAMP = 0.008  # seconds of fade in and out, so a tone starts and stops without a click

# Each sound: (frequency in Hz, seconds); a frequency of 0 is a pause.
TONES: dict[str, tuple[tuple[int, float], ...]] = {
    "ok": ((1320, 0.09),),
    "attention": ((880, 0.08), (0, 0.06), (880, 0.08)),
    "block": ((440, 0.16), (294, 0.26)),
}


def _tone(frequency: int, seconds: float) -> bytes:
    count = int(RATE * seconds)
    ramp = max(1, int(RATE * RAMP))
    samples = []
    for i in range(count):
        if frequency == 0:
            samples.append(0)
            continue
        envelope = min(1.0, i / ramp, (count - 1 - i) / ramp)
        value = VOLUME * envelope * math.sin(2 * math.pi * frequency * i / RATE)
        samples.append(round(value * 32767))
    return struct.pack(f"<{len(samples)}h", *samples)


@lru_cache(maxsize=len(TONES))
def wav(name: str) -> bytes:
    """The sound called `name` (a key of TONES) as a 16-bit mono WAV file."""
    frames = b"".join(_tone(frequency, seconds) for frequency, seconds in TONES[name])
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(frames)
    return out.getvalue()
