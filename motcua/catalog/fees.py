"""Which fees a dossier owes (phí, lệ phí): the one rule that the receipt slip, the API and
every page showing an amount read.

A procedure version's fee table is a list of lines, as in `motcua.catalogue/1`:

    {"name": "Lệ phí đăng ký cư trú (nộp trực tiếp)", "amount": 20000, "channel": "counter"}

with these optional keys:
- `channel` (`counter`, `online`, `postal`): the line is the rate for that channel only.
  A postal submission is a paper dossier: without a postal line it pays the counter rate.
- `case`: the applicants or dossiers the line is for ("sinh viên, người có công…").
- `charge`: what is paid for. Lines of one charge are ALTERNATIVES (one of them applies,
  by channel and case); different charges are all owed and add up.
- `per`: the amount is per unit of something the dossier does not count ("trang", "bản");
  such a line is shown with its unit and never added into a total.

Without `charge`, a table reads as national fee tables are published: the lines for every
channel are one charge, the channel-specific lines another (a fee owed everywhere plus a
counter-only one add up); within a charge the lines are alternatives. So alternatives are
never summed: where the dossier's channel and case leave several lines, they are printed as
alternatives ("200.000 đồng hoặc 100.000 đồng tùy trường hợp")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from motcua.core.templatetags.motcua import vnd
from motcua.core.text import clean_text

CHANNELS = ("counter", "online", "postal")
OPTIONAL_TEXT_KEYS = ("case", "charge", "per")
_EVERY_CHANNEL, _ONE_CHANNEL = "", "\x00channel"  # the default charges (never a real name)


@dataclass(frozen=True)
class FeeLine:
    """One line of a fee table; `amount` in đồng."""

    name: str
    amount: int
    channel: str = ""
    case: str = ""
    charge: str = ""
    per: str = ""

    @classmethod
    def of(cls, entry: dict[str, Any]) -> FeeLine:
        return cls(
            name=str(entry.get("name") or ""),
            amount=int(entry.get("amount") or 0),
            **{key: str(entry.get(key) or "") for key in ("channel", *OPTIONAL_TEXT_KEYS)},
        )

    @property
    def charge_key(self) -> str:
        if self.charge:
            return self.charge
        return _ONE_CHANNEL if self.channel else _EVERY_CHANNEL

    @property
    def amount_text(self) -> str:
        """'20.000 đồng', or '2.000 đồng mỗi trang' for a per-unit line."""
        return vnd(self.amount) + (f" mỗi {self.per}" if self.per else "")


@dataclass(frozen=True)
class ChargeDue:
    """One charge as it applies to a dossier: one option (decided) or alternatives."""

    options: tuple[FeeLine, ...]

    @property
    def decided(self) -> bool:
        """One amount applies (alternatives of equal amounts are no choice)."""
        return len({(line.amount, line.per) for line in self.options}) == 1

    @property
    def amount(self) -> int | None:
        """The amount owed, once per dossier; None if undecided or per unit."""
        first = self.options[0]
        return first.amount if self.decided and not first.per else None

    @property
    def label(self) -> str:
        if self.options[0].charge:
            return self.options[0].charge
        if self.decided:
            return self.options[0].name
        return " / ".join(dict.fromkeys(line.name for line in self.options))

    @property
    def text(self) -> str:
        """'20.000 đồng', or '200.000 đồng hoặc 100.000 đồng tùy trường hợp'."""
        texts = list(dict.fromkeys(line.amount_text for line in self.options))
        if len(texts) == 1:
            return texts[0]
        return " hoặc ".join(texts) + " tùy trường hợp"


@dataclass(frozen=True)
class FeeDue:
    """What a dossier owes: the charges that apply to its channel and case, in table order."""

    charges: tuple[ChargeDue, ...]

    @property
    def total(self) -> int | None:
        """The sum of the charges when every one is decided and once per dossier, else None:
        alternatives and per-unit amounts are never added up."""
        amounts = [charge.amount for charge in self.charges]
        if not amounts or any(amount is None for amount in amounts):
            return None
        return sum(amount for amount in amounts if amount is not None)

    @property
    def summary(self) -> str:
        """The words after "Phí, lệ phí:": 'Không', the amount owed, the alternatives of a
        single charge, or '' when only the rows can say it."""
        if not self.charges:
            return "Không"
        if len(self.charges) == 1:
            charge = self.charges[0]
            if charge.decided and len(charge.options) == 1:
                return f"{charge.text} ({charge.label})"
            return charge.text
        return vnd(self.total) if self.total is not None else ""

    def rows(self) -> list[tuple[str, str]]:
        """(label, amount text) under the summary: each option of a single undecided charge,
        or each charge when there are several; none when the summary says it all."""
        if len(self.charges) == 1:
            charge = self.charges[0]
            if len(charge.options) == 1:
                return []
            return [(line.name, line.amount_text) for line in charge.options]
        return [(charge.label, charge.text) for charge in self.charges]


def fee_for(table: list[dict[str, Any]], channel: str, case: str | None = None) -> FeeDue:
    """The fees a dossier submitted through `channel` owes under `table`. `case` is the case
    recorded on the dossier ("" for the general case); None when nothing records it, and
    then every case's line is a possible alternative."""
    lines = [FeeLine.of(entry) for entry in table]
    charges: dict[str, list[FeeLine]] = {}
    for line in lines:
        charges.setdefault(line.charge_key, []).append(line)
    due = []
    for group in charges.values():
        options = _by_case(_by_channel(group, channel), case)
        if options:
            due.append(ChargeDue(tuple(options)))
    return FeeDue(tuple(due))


def _by_channel(lines: list[FeeLine], channel: str) -> list[FeeLine]:
    for wanted in (channel, "counter") if channel == "postal" else (channel,):
        chosen = [line for line in lines if wanted and line.channel == wanted]
        if chosen:
            return chosen
    return [line for line in lines if not line.channel]


def _by_case(lines: list[FeeLine], case: str | None) -> list[FeeLine]:
    if case is None:
        return lines
    chosen = [line for line in lines if case and line.case == case]
    return chosen or [line for line in lines if not line.case]


def clean_table(raw: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """A catalogue file's fee table, checked: (the lines to store, the problems found). Keys
    this module does not know are kept as they came, so nothing of the file is dropped."""
    if not isinstance(raw, list):
        return [], ["fees must be a list"]
    cleaned, problems = [], []
    for index, fee in enumerate(raw):
        entry, found = _clean_line(fee, index)
        problems += found
        if not found:
            cleaned.append(entry)
    return cleaned, problems


def _clean_line(fee: Any, index: int) -> tuple[dict[str, Any], list[str]]:
    if not isinstance(fee, dict):
        return {}, [f"fees[{index}] must be an object {{name, amount}}"]
    amount = fee.get("amount")
    problems = []
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        problems.append(f"fee amount must be a whole number of đồng ≥ 0, got {amount!r}")
    channel = fee.get("channel")
    if channel and channel not in CHANNELS:
        problems.append(f"fees[{index}].channel must be one of {list(CHANNELS)}, got {channel!r}")
    entry: dict[str, Any] = {**fee, "name": clean_text(str(fee.get("name") or ""))}
    entry["amount"] = amount
    if not channel:
        entry.pop("channel", None)
    for key in OPTIONAL_TEXT_KEYS:
        value = fee.get(key)
        if value is None or value == "":
            entry.pop(key, None)
        elif not isinstance(value, str):
            problems.append(f"fees[{index}].{key} must be text, got {value!r}")
        else:
            entry[key] = clean_text(value)
    return entry, problems
