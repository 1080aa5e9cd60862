"""`motcua hall_voice [--output DIR]`: makes the call screens' Vietnamese voice clips with
espeak-ng (queueing/voice.py), by default into motcua/static/hall/voice/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from motcua.cli.base import MotcuaCommand
from motcua.queueing.voice import VOICE_DIR, make_clips


class Command(MotcuaCommand):
    help = "Make the hall's Vietnamese announcement clips with espeak-ng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(VOICE_DIR), help="directory of the clips")

    def handle(self, *args: Any, **options: Any) -> None:
        made = make_clips(Path(options["output"]))
        self.stdout.write(f"{len(made)} clips in {options['output']}")
