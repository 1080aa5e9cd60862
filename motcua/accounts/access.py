"""Who may see and do what, where: the one home of motcua's access rules.

People act through memberships: a role held at an organisation unit. A role held at a unit
holds at every unit under it (a unit's `path` is a prefix of theirs). On that:

- **Seeing a dossier** (`visible_to`, `dossier_for`, `may_see`): staff of any role at a unit
  over its receiving unit or its deciding agency, and staff of a co-ordinating unit (liên
  thông) while its step is open (it must read the dossier to give its opinion; the opinion
  stays in the dossier's log); a superuser sees every dossier. A dossier someone may not see
  does not exist for them: pages, the API, downloads, papers and lists answer 404
  (`NotFound`, `dossier_not_found`), never 403, so that codes cannot be probed.
- **Acting on a dossier** (`may_act`, `refusal_to_act`): one of the action's roles
  (`workflow/actions.py`) at its place: the receiving one-stop, the deciding agency, or the
  unit of an open inter-agency step; for the assignee's own steps, only the assignee (or the
  system replaying history). Someone who may see the dossier but not act is refused with 403.
- **Receiving at a counter** (`counter_units`, `may_receive_at`): a counter officer of that
  very unit, or the system replaying history anywhere under its unit.
- **Reporting on a unit** (`reportable_units`, `may_report_on`): staff of any role, for their
  units and every unit under them; a superuser, every unit. Public statistics publish the
  provinces and their receiving points (`published_units`).
- **Serving at a hall counter** (`hall_counters`, `may_serve_at`): a counter officer of the
  counter's very unit (the site), no one else, not even a superuser (the log names who served).
- **Documents** follow their dossier (`may_open_document`): its staff, and its applicant on the
  citizen portal.
- **Citizens** (`is_citizen`, a `CitizenAccount`): no staff access at all (`may_use_back_office`
  is false: the back office and the administration refuse them, the menu is empty, they hold no
  role). On the citizen portal they see their own applications and dossiers only
  (`own_applications`, `own_dossiers`, `own_dossier_for`); anything else, or a code that does
  not exist, is the same 404. They add papers to their dossier only while it waits for them
  (`may_add_documents`: before reception, or while a supplement is asked).
- **Role-bound pages** (the counter's intake, the agencies' debts, the tracking book, the
  director's overview) ask `units_where` / `holds_anywhere` with their roles (`PAGE_ROLES`);
  without the role they answer 403. The menu shows the pages `pages_for` lists, no other.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from motcua.accounts.models import CitizenAccount, Role, User
from motcua.catalog.models import RECEIVING_KINDS, Unit
from motcua.citizens.models import Application
from motcua.core.errors import NotFound, PermissionRefused
from motcua.core.text import clean_text
from motcua.dossiers.models import Dossier, DossierStep, StepKind
from motcua.queueing.models import Counter
from motcua.workflow.actions import ACTIONS, Action
from motcua.workflow.states import Place, Status

if TYPE_CHECKING:
    from motcua.documents.models import Document

# Roles whose holders watch every dossier received under their units (the inbox's overview).
MONITORS = (Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class Grants:
    """What one user holds, read once: their active memberships as (role, unit path), so that
    checking every action of a desk costs one query."""

    user_id: int | None
    held: tuple[tuple[str, str], ...] = ()
    superuser: bool = False

    def paths(self, *roles: str) -> list[str]:
        """Paths of the units where the user holds one of `roles` (any role if none given)."""
        return sorted({path for role, path in self.held if not roles or role in roles})

    def holds(self, roles: Iterable[str], unit: Unit) -> bool:
        """True if the user holds one of `roles` at `unit` or at a unit over it."""
        wanted = set(roles)
        return any(role in wanted and unit.path.startswith(path) for role, path in self.held)


# Whom a question is about: a user as a request carries it (anonymous included), or the grants
# already read for one.
Who: TypeAlias = AbstractBaseUser | AnonymousUser | Grants


def grants(who: Who) -> Grants:
    """The grants of `who`; nothing for an anonymous or deactivated user."""
    if isinstance(who, Grants):
        return who
    if not isinstance(who, User) or not who.is_active:
        return Grants(user_id=None)
    held = who.memberships.filter(is_active=True).values_list("role", "unit__path")
    return Grants(user_id=who.pk, held=tuple(held), superuser=who.is_superuser)


def holds_role_at(who: Who, role: str, unit: Unit) -> bool:
    return grants(who).holds((role,), unit)


def holds_anywhere(who: Who, *roles: str) -> bool:
    return bool(grants(who).paths(*roles))


def units_where(who: Who, *roles: str) -> QuerySet[Unit]:
    """The units (themselves, not those under them) where `who` holds one of `roles`."""
    paths = grants(who).paths(*roles)
    return Unit.objects.filter(path__in=paths)


def units_under(paths: list[str]) -> QuerySet[Unit]:
    """The units at or under any of `paths` (one indexed prefix filter each)."""
    if not paths:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(operator.or_, (Q(path__startswith=p) for p in paths)))


def holders(role: str, unit: Unit) -> QuerySet[User]:
    """Active users holding `role` at `unit` or at a unit over it (who may be given its work)."""
    parts = unit.path.rstrip("/").split("/")
    over = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        User.objects.filter(
            memberships__role=role,
            memberships__is_active=True,
            memberships__unit__path__in=over,
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "username")
    )


# --- seeing dossiers ----------------------------------------------------------------------


def may_see(who: Who, dossier: Dossier) -> bool:
    """May `who` see `dossier` (the rule of the module's docstring, for one dossier): a role at
    a unit over its receiving unit or its agency, or over a unit whose inter-agency step on it
    is open. `visible_to` is its SQL twin for lists; a test keeps the two equal."""
    found = grants(who)
    if found.superuser:
        return True
    paths = found.paths()
    if not paths:
        return False
    held = (dossier.receiving_unit.path, dossier.agency.path, *_consulted_paths(dossier))
    return any(unit.startswith(path) for unit in held for path in paths)


def _consulted_paths(dossier: Dossier) -> list[str]:
    """Units holding an open inter-agency step (liên thông) of `dossier`."""
    open_steps = dossier.steps.filter(kind=StepKind.INTER_AGENCY, completed_at__isnull=True)
    return list(open_steps.values_list("unit__path", flat=True))


def visible_to(who: Who) -> QuerySet[Dossier]:
    """The dossiers `who` may see: the SQL twin of `may_see`, for lists.

    Index-friendly: the user's units and the dossiers on which they are consulted now are read
    first (both bounded: by the catalogue, and by the open inter-agency steps, from their own
    partial index), so the condition is an OR of three lists of literal ids on indexed columns
    (receiving unit, agency, id), which PostgreSQL can answer from the indexes or in one pass,
    as the size of the answer warrants, whatever else the caller filters or sorts by."""
    found = grants(who)
    if found.superuser:
        return Dossier.objects.all()
    units = list(units_under(found.paths()).values_list("pk", flat=True))
    if not units:
        return Dossier.objects.none()
    consulted = DossierStep.objects.filter(
        kind=StepKind.INTER_AGENCY, completed_at__isnull=True, unit_id__in=units
    ).values_list("dossier_id", flat=True)
    return Dossier.objects.filter(
        Q(receiving_unit_id__in=units) | Q(agency_id__in=units) | Q(pk__in=list(consulted))
    )


def dossier_for(who: Who, code: str, *, seen_version: int | None = None) -> Dossier:
    """The dossier with this code if `who` may see it, as the caller saw it (`seen_version`:
    the actions refuse it if it is not the current one). Refused as not found otherwise,
    exactly like a code that does not exist."""
    wanted = clean_text(code).upper()
    dossier = None
    if wanted:
        dossier = (
            Dossier.objects.select_related("procedure_version", "receiving_unit", "agency")
            .filter(code=wanted)
            .first()
        )
    if dossier is None or not may_see(who, dossier):
        raise NotFound(f"Không tìm thấy hồ sơ {clean_text(code)}.", code="dossier_not_found")
    if seen_version is not None:
        dossier.version = seen_version
    return dossier


def may_open_document(who: Who, document: Document) -> bool:
    """A document is seen by whoever may see its dossier, and by the citizen whose dossier it
    is (their own papers and the result, on the citizen portal)."""
    return may_see(who, document.dossier) or owns_dossier(who, document.dossier)


def may_add_documents(who: Who, dossier: Dossier) -> bool:
    """Staff who may see the dossier; its applicant (on the citizen portal) only while it
    waits for the applicant's papers: at submission, when asked to complete it before
    reception, and while a supplement is asked (docs/integrations/citizen-portal.md)."""
    if may_see(who, dossier):
        return True
    return owns_dossier(who, dossier) and dossier.status in APPLICANT_ADDS_PAPERS


# --- citizens (the citizen portal) --------------------------------------------------------

# The states in which the applicant may still bring papers online.
APPLICANT_ADDS_PAPERS = frozenset(
    {Status.SUBMITTED, Status.NEEDS_COMPLETION_AT_RECEPTION, Status.AWAITING_SUPPLEMENT}
)


def is_citizen(who: Who) -> bool:
    """A citizen's account (signed in through the identity provider), active."""
    if isinstance(who, Grants) or not isinstance(who, User) or not who.is_active:
        return False
    return CitizenAccount.objects.filter(user_id=who.pk).exists()


def may_use_back_office(who: Who) -> bool:
    """Everyone but citizens may reach the back office's and the administration's pages (which
    then ask their own rules); a citizen's account never may."""
    return not is_citizen(who)


def own_applications(who: Who) -> QuerySet[Application]:
    """The citizen's applications, drafts and submitted ones; none for anyone else."""
    if not is_citizen(who):
        return Application.objects.none()
    return Application.objects.filter(owner_id=who.pk)  # type: ignore[union-attr]


def own_application_for(who: Who, key: str) -> Application:
    """One of the citizen's applications by its key; `not_found` otherwise (another's too)."""
    wanted = clean_text(key)
    # a control character (NUL) is no key, and PostgreSQL refuses it in a query
    found = own_applications(who).filter(key=wanted).first() if wanted.isprintable() else None
    if found is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="application_not_found")
    return found


def own_dossiers(who: Who) -> QuerySet[Dossier]:
    """The dossiers the citizen submitted on the portal; none for anyone else."""
    if not is_citizen(who):
        return Dossier.objects.none()
    return Dossier.objects.filter(application__owner_id=who.pk)  # type: ignore[union-attr]


def owns_dossier(who: Who, dossier: Dossier) -> bool:
    return own_dossiers(who).filter(pk=dossier.pk).exists()


def own_dossier_for(who: Who, code: str) -> Dossier:
    """The citizen's own dossier with this code; exactly like a code that does not exist
    (`dossier_not_found`) for another's dossier."""
    wanted = clean_text(code).upper()
    found = (
        own_dossiers(who)
        .select_related("procedure_version", "receiving_unit", "agency")
        .filter(code=wanted)
        .first()
        if wanted and wanted.isprintable()
        else None
    )
    if found is None:
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return found


# --- acting on dossiers -------------------------------------------------------------------


def place_of(dossier: Dossier, action: Action) -> Unit:
    """The unit at which `action` is taken on `dossier` (for ONE_STOP and AGENCY actions)."""
    return dossier.receiving_unit if action.place == Place.ONE_STOP else dossier.agency


def refusal_to_act(who: Who, dossier: Dossier, action: Action | str) -> PermissionRefused | None:
    """Why `who` may not take `action` on `dossier`, or None if they may (the state and the
    once-only rule are the action's own checks, in `dossiers/actions.py`)."""
    record = ACTIONS[action] if isinstance(action, str) else action
    found = grants(who)
    if record.place == Place.STEP:
        if open_steps_for(found, dossier):
            return None
        return PermissionRefused(
            "Bạn không thuộc đơn vị phối hợp nào của hồ sơ.", code="not_your_unit"
        )
    place = place_of(dossier, record)
    if not found.holds(record.roles, place):
        return PermissionRefused(
            "Bạn không có vai trò phù hợp tại đơn vị đang giữ hồ sơ này.", code="not_your_step"
        )
    replaying = found.holds((Role.SYSTEM,), place)  # imports of history act for anyone
    if record.assignee_only and dossier.assignee_id != found.user_id and not replaying:
        return PermissionRefused("Hồ sơ không được phân công cho bạn.", code="not_assigned_to_you")
    return None


def may_act(who: Who, dossier: Dossier, action: Action | str) -> bool:
    return refusal_to_act(who, dossier, action) is None


def may_answer_step(who: Who, step: DossierStep) -> bool:
    """May `who` answer this inter-agency step: one of the answering roles at its unit."""
    return grants(who).holds(ACTIONS["complete_step"].roles, step.unit)


def open_steps_for(who: Who, dossier: Dossier) -> list[str]:
    """Keys of the open inter-agency steps of `dossier` that `who` may answer."""
    found = grants(who)
    if not found.held:
        return []
    steps = dossier.steps.filter(kind=StepKind.INTER_AGENCY, completed_at__isnull=True)
    return [step.key for step in steps.select_related("unit") if may_answer_step(found, step)]


def counter_units(who: Who) -> QuerySet[Unit]:
    """Active units at whose counter `who` may receive dossiers (their very units)."""
    return units_where(who, Role.COUNTER_OFFICER).filter(is_active=True)


def may_receive_at(who: Who, unit: Unit) -> bool:
    """A counter officer of the unit, or the system replaying history anywhere below its unit."""
    found = grants(who)
    if found.holds((Role.SYSTEM,), unit):
        return True
    return unit.is_active and unit.path in found.paths(Role.COUNTER_OFFICER)


def hall_counters(who: Who) -> QuerySet[Counter]:
    """The hall counters `who` may open and serve at: those of the active units where they are
    counter officers (their very units)."""
    return Counter.objects.filter(hall__unit__in=counter_units(who)).select_related("hall__unit")


def may_serve_at(who: Who, counter: Counter) -> bool:
    """A counter officer of the counter's site (its very unit, active)."""
    unit = counter.hall.unit
    return unit.is_active and unit.path in grants(who).paths(Role.COUNTER_OFFICER)


# Who types in the paper rating forms of a unit (its very unit): its counter officers, its
# centre director and its administrators (docs/domain/ratings.md#paper-forms).
PAPER_RATING_ROLES = (Role.COUNTER_OFFICER, Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR)


def paper_rating_units(who: Who) -> QuerySet[Unit]:
    return units_where(who, *PAPER_RATING_ROLES).filter(is_active=True)


def may_record_paper_rating(who: Who, unit: Unit) -> bool:
    return unit.is_active and unit.path in grants(who).paths(*PAPER_RATING_ROLES)


def sees_officers_ratings(who: Who) -> bool:
    """Ratings per officer are shown to centre directors (and administrators) only."""
    return grants(who).superuser or bool(grants(who).paths(*MONITORS))


def monitored_paths(who: Who) -> list[str]:
    """Units whose received dossiers `who` watches as a centre director or administrator."""
    return grants(who).paths(*MONITORS)


# --- reports ------------------------------------------------------------------------------


def reportable_units(who: Who) -> list[Unit]:
    """The units `who` may report on, as offered in a picker: the units of their memberships
    and the receiving points (centres, branches) under them, top-down, inactive ones included
    (their history is still reported). An agency under a centre is a row of the centre's table
    by agency rather than a choice of its own. A superuser: every root and receiving point."""
    found = grants(who)
    units: QuerySet[Unit] = Unit.objects.all()
    if found.superuser:
        return list(units.filter(Q(parent__isnull=True) | Q(kind__in=RECEIVING_KINDS)))
    paths = found.paths()
    if not paths:
        return []
    under = reduce(operator.or_, (Q(path__startswith=p) for p in paths))
    return list(units.filter(Q(path__in=paths) | (under & Q(kind__in=RECEIVING_KINDS))))


def may_report_on(who: Who, unit: Unit) -> bool:
    """Figures of `unit` (and the lists behind them) for staff of any role at it or over it."""
    found = grants(who)
    return found.superuser or any(unit.path.startswith(path) for path in found.paths())


def published_units() -> list[Unit]:
    """What the public statistics publish: each province (an active root unit) and the active
    receiving points (centres, branches) under it."""
    roots = list(Unit.objects.filter(parent__isnull=True, is_active=True))
    centres = units_under([root.path for root in roots]).filter(
        kind__in=RECEIVING_KINDS, is_active=True
    )
    return list(Unit.objects.filter(Q(pk__in=[r.pk for r in roots]) | Q(pk__in=centres)))


# --- pages --------------------------------------------------------------------------------

# The roles that open each role-bound page of the back office, at any of their units.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "agencies": (Role.CENTRE_DIRECTOR, Role.COUNTER_OFFICER, Role.ADMINISTRATOR),
    "tracking_book": (Role.COUNTER_OFFICER, Role.CENTRE_DIRECTOR, Role.ADMINISTRATOR),
    "reception_queue": (Role.COUNTER_OFFICER,),  # online dossiers waiting for reception
    "paper_ratings": PAPER_RATING_ROLES,
}


def pages_for(who: Who) -> frozenset[str]:
    """The back-office pages `who` may open, by URL name (the menu shows these, no other):
    the inbox for anyone signed in; the reports and the dossier search for staff of any role
    (`reportable_units`, `visible_to`);
    the intake for a counter officer of an active unit (`counter_units`), and the hall
    counter where that unit has counters (`hall_counters`); the role-bound
    pages for their roles (`PAGE_ROLES`); the administration for staff accounts."""
    found = grants(who)
    if found.user_id is None or not may_use_back_office(who):
        return frozenset()
    pages = {"inbox"}
    if found.held or found.superuser:
        pages |= {"dashboard", "dossier_search"}
    pages |= {page for page, roles in PAGE_ROLES.items() if found.paths(*roles)}
    if found.paths(Role.COUNTER_OFFICER) and counter_units(found).exists():
        pages.add("intake")
    if found.paths(Role.COUNTER_OFFICER) and hall_counters(found).exists():
        pages.add("hall_counter")
    if isinstance(who, User) and who.is_staff:
        pages.add("admin")
    return frozenset(pages)
