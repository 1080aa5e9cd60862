"""The announcement clips: espeak-ng's Vietnamese voice, one WAV per word, and a manifest."""

from __future__ import annotations

import json

from django.core.management import call_command

from motcua.queueing.voice import clips


def test_the_clips_are_made_with_espeak(tmp_path) -> None:
    call_command("hall_voice", "--output", str(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["clips"] == sorted(f"{name}.wav" for name in clips())
    for name in ("moi-so", "den-quay-so", "0", "9", "a"):
        head = (tmp_path / f"{name}.wav").read_bytes()[:12]
        assert head[:4] == b"RIFF" and head[8:12] == b"WAVE"
