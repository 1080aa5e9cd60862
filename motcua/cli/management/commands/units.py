"""`motcua units merge OLD --into NEW [--at YYYY-MM-DD] [--reason TEXT] [--as USERNAME]` merges
a unit into another (its open dossiers, users' roles and code counters go to NEW; OLD becomes
inactive); `motcua units move UNIT --parent PARENT|--root` puts a unit and its subtree under
another parent. Both print a JSON summary; a refusal prints its stable code and exits 2."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from motcua.accounts.models import User
from motcua.catalog.models import Unit
from motcua.catalog.units import merge_unit, move_unit
from motcua.cli.base import MotcuaCommand
from motcua.core.clock import day_in_supported_range
from motcua.core.errors import NotFound, ValidationFailed


class Command(MotcuaCommand):
    help = "Change the organisation tree: merge a unit into another, or move it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        merge = actions.add_parser("merge", help="merge OLD into NEW (sáp nhập)")
        merge.add_argument("old", metavar="OLD")
        merge.add_argument("--into", required=True, metavar="NEW")
        merge.add_argument("--at", metavar="YYYY-MM-DD", help="the date it takes effect")
        move = actions.add_parser("move", help="put UNIT (and its subtree) under PARENT")
        move.add_argument("unit", metavar="UNIT")
        where = move.add_mutually_exclusive_group(required=True)
        where.add_argument("--parent", metavar="PARENT")
        where.add_argument("--root", action="store_true", help="make UNIT a root (a province)")
        for sub in (merge, move):
            sub.add_argument("--reason", default="", help="why (the decision, for the record)")
            sub.add_argument("--as", dest="acting", metavar="USERNAME", help="recorded as actor")

    def handle(self, *args: Any, **options: Any) -> None:
        by = _user(options["acting"]) if options["acting"] else None
        if options["action"] == "merge":
            summary = merge_unit(
                _unit(options["old"]),
                into=_unit(options["into"]),
                by=by,
                on=_day(options["at"]) if options["at"] else None,
                reason=options["reason"],
            )
            self.write_json(summary.as_dict())
            return
        parent = None if options["root"] else _unit(options["parent"])
        unit = move_unit(_unit(options["unit"]), parent=parent, by=by, reason=options["reason"])
        self.write_json(
            {"unit": unit.code, "parent": parent.code if parent else None, "path": unit.path}
        )


def _unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise NotFound(f"Không có đơn vị {code}.", code="unknown_unit")
    return unit


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(f"Không có người dùng {username}.", code="unknown_user")
    return user


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"Ngày không hợp lệ: {text!r} (cần YYYY-MM-DD).", code="invalid_date"
        ) from None
    return day_in_supported_range(day, "--at")
