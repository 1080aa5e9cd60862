"""Process definitions (quy trình nội bộ): the steps a procedure's dossiers go through, which
unit and role act at each, and each step's share of the legal time.

A definition is data in the catalogue (`ProcedureVersion.process`), a list of steps:

    {"key": "appraisal", "name": "Thẩm định", "kind": "appraisal", "unit": "agency",
     "role": "specialist", "share": 60}

`kind` is one of reception, appraisal, inter_agency, approval, return. The main chain is
reception → appraisal → approval → return, once each and in that order; inter_agency steps
(liên thông) run in parallel with the appraisal, at the unit whose code they name, and must be
done before the dossier goes to approval. `unit` is "one_stop" (the receiving centre), "agency"
(the deciding agency) or a unit code. `share` is the step's percentage of the legal duration;
the main chain's shares add up to 100."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_noop

from motcua.core.text import TextTooLong, fitted

MAIN_CHAIN = ("reception", "appraisal", "approval", "return")
KINDS = (*MAIN_CHAIN, "inter_agency")
ROLES = ("counter_officer", "specialist", "agency_leader")
# The default steps' names are stored on each dossier's steps in Vietnamese and translated
# where they are shown (`{% translate step.name %}`).
DEFAULT_PROCESS: list[dict[str, Any]] = [
    {
        "key": "reception",
        "name": gettext_noop("Tiếp nhận và chuyển hồ sơ"),
        "kind": "reception",
        "unit": "one_stop",
        "role": "counter_officer",
        "share": 5,
    },
    {
        "key": "appraisal",
        "name": gettext_noop("Thẩm định hồ sơ"),
        "kind": "appraisal",
        "unit": "agency",
        "role": "specialist",
        "share": 65,
    },
    {
        "key": "approval",
        "name": gettext_noop("Phê duyệt, ký kết quả"),
        "kind": "approval",
        "unit": "agency",
        "role": "agency_leader",
        "share": 20,
    },
    {
        "key": "return",
        "name": gettext_noop("Chuyển kết quả về Bộ phận một cửa"),
        "kind": "return",
        "unit": "agency",
        "role": "agency_leader",
        "share": 10,
    },
]


def definition_of(process: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return list(process) if process else DEFAULT_PROCESS


def problems_in(process: Any, unit_codes: Iterable[str]) -> list[str]:
    """Everything wrong with a process definition, as sentences (empty when it is valid)."""
    if process in (None, []):
        return []
    if not isinstance(process, list) or not all(isinstance(s, dict) for s in process):
        return ["process must be a list of step objects"]
    codes = set(unit_codes)
    found = [_step_problems(step, codes) for step in process]
    problems = [problem for step_problems in found for problem in step_problems]
    keys = [step.get("key") for step in process]
    if len(set(keys)) != len(keys):
        problems.append("process step keys must be unique")
    chain = [step.get("kind") for step in process if step.get("kind") in MAIN_CHAIN]
    if tuple(chain) != MAIN_CHAIN:
        problems.append("process needs reception, appraisal, approval, return once each, in order")
    total = sum(
        step.get("share", 0)
        for step in process
        if step.get("kind") in MAIN_CHAIN and isinstance(step.get("share"), int | float)
    )
    if chain and abs(total - 100) > 0.001:
        problems.append(f"the main chain's shares must add up to 100, not {total:g}")
    return problems


# The columns of a dossier's steps (dossiers.DossierStep) that a step's key and name fill.
STEP_KEY_MAX = 64
STEP_NAME_MAX = 300


def _as_given(value: str | None) -> str:
    return value or ""


def _step_problems(step: dict[str, Any], codes: set[str]) -> list[str]:
    key = step.get("key") or "?"
    problems = []
    if not isinstance(step.get("key"), str) or not step["key"]:
        problems.append("every step needs a key")
    if step.get("kind") not in KINDS:
        problems.append(f"step {key}: kind must be one of {', '.join(KINDS)}")
    if step.get("role") not in ROLES:
        problems.append(f"step {key}: role must be one of {', '.join(ROLES)}")
    for field, limit in (("key", STEP_KEY_MAX), ("name", STEP_NAME_MAX)):
        value = step.get(field)
        if isinstance(value, str):  # stored as given in the dossier's steps
            try:
                fitted(value, max_length=limit, field=f"step {key}: {field}", normalise=_as_given)
            except TextTooLong as error:
                problems.append(error.message)
    unit = step.get("unit")
    if unit not in ("one_stop", "agency") and unit not in codes:
        problems.append(f"step {key}: unknown unit {unit!r}")
    if step.get("kind") == "inter_agency" and unit in ("one_stop", "agency"):
        problems.append(f"step {key}: an inter-agency step names the co-ordinating unit's code")
    share = step.get("share")
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 100:
        problems.append(f"step {key}: share must be a percentage above 0 and at most 100")
    return problems
