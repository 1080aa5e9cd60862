"""The call screens' spoken announcements where the browser has no Vietnamese voice: short
clips made ahead of time with espeak-ng's Vietnamese voice (Debian package espeak-ng), put
together by the screen ("Mời số", the group's letter, the digits one by one, "đến quầy số",
the counter's digits). Made by `motcua hall_voice` at set-up, never committed."""

from __future__ import annotations

import json
import shutil
import string
import subprocess
from pathlib import Path

from motcua.core.errors import MotcuaError

VOICE_DIR = Path(__file__).resolve().parents[1] / "static" / "hall" / "voice"
DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
PHRASES = {"moi-so": "Mời số", "den-quay-so": "đến quầy số"}


def clips() -> dict[str, str]:
    """Clip name → what it says."""
    spoken = dict(PHRASES)
    spoken.update({str(digit): word for digit, word in enumerate(DIGITS)})
    spoken.update({letter.lower(): letter for letter in string.ascii_uppercase})
    return spoken


def make_clips(directory: Path = VOICE_DIR, *, engine: str = "espeak-ng") -> list[Path]:
    """Write every clip as WAV into `directory`, then `manifest.json` (the screens look for
    it); refused with `espeak_missing` when the engine is not installed."""
    program = shutil.which(engine)
    if program is None:
        raise MotcuaError(
            f"{engine} chưa được cài (apt-get install espeak-ng).", code="espeak_missing"
        )
    directory.mkdir(parents=True, exist_ok=True)
    made = []
    for name, text in clips().items():
        target = directory / f"{name}.wav"
        subprocess.run(  # noqa: S603 — a fixed program and our own words
            [program, "-v", "vi", "-s", "140", "-w", str(target), text], check=True
        )
        made.append(target)
    manifest = {"voice": "espeak-ng vi", "clips": sorted(p.name for p in made)}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False) + "\n")
    return made
