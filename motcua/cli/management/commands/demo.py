"""`motcua demo`: the demo province — its catalogue, one persona per role, and a first dossier
received at the provincial counter — then print the logins. Only where DEBUG is on."""

from __future__ import annotations

from importlib import resources
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser
from django.db import transaction

from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import Procedure, Unit
from motcua.cli import demo_history as history
from motcua.cli.base import MotcuaCommand
from motcua.core.errors import ValidationFailed
from motcua.dossiers import actions
from motcua.dossiers.models import Channel, Dossier
from motcua.integrations.catalogue import import_catalogue
from motcua.queueing.models import Counter, Device, DeviceKind, Hall, ServiceGroup

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 — printed on screen; the demo only runs with DEBUG
PERSONAS = [
    # username, full name (printed under signatures), what the login is for (listing only),
    # unit, role, staff (admin site)
    ("quantri", "Quản trị hệ thống", "", "AH", Role.ADMINISTRATOR, True),
    ("giamdoc", "Trần Minh Đức", "Giám đốc Trung tâm", "AH", Role.CENTRE_DIRECTOR, False),
    ("quay.tinh", "Nguyễn Thị Lan", "quầy tỉnh", "AH", Role.COUNTER_OFFICER, False),
    ("quay.donghoa", "Lê Văn Hùng", "quầy xã Đông Hòa", "AH-X01", Role.COUNTER_OFFICER, False),
    ("quay.bacan", "Phạm Thu Trang", "quầy phường Bắc An", "AH-P02", Role.COUNTER_OFFICER, False),
    (
        "chuyenvien.pv06",
        "Hoàng Văn Nam",
        "chuyên viên PV06, Công an tỉnh",
        "AH-CAT-PV06",
        Role.SPECIALIST,
        False,
    ),
    (
        "lanhdao.pv06",
        "Đỗ Thị Mai",
        "lãnh đạo PV06, Công an tỉnh",
        "AH-CAT-PV06",
        Role.AGENCY_LEADER,
        False,
    ),
    (
        "chuyenvien.dat",
        "Vũ Đức Long",
        "chuyên viên VP ĐKĐĐ",
        "AH-VPDKDD",
        Role.SPECIALIST,
        False,
    ),
    ("lanhdao.dat", "Ngô Thị Hà", "lãnh đạo VP ĐKĐĐ", "AH-VPDKDD", Role.AGENCY_LEADER, False),
    ("chuyenvien.thue", "Bùi Văn Tâm", "chuyên viên Thuế tỉnh", "AH-THUE", Role.SPECIALIST, False),
]
FIRST_DOSSIER_PROCEDURE = "3.000333"  # Cấp Phiếu lý lịch tư pháp (Công an tỉnh, PV06)


class Command(MotcuaCommand):
    help = "Load the demo province (catalogue, personas, a first dossier) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="only the catalogue, the personas and one dossier",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise ValidationFailed(
                "The demo loads known passwords: run it only with MOTCUA_DEBUG=1.",
                code="demo_needs_debug",
            )
        text = (
            resources.files("motcua.catalog")
            .joinpath("data/demo_province.json")
            .read_text(encoding="utf-8")
        )
        import_catalogue(text, filename="demo_province.json")
        with transaction.atomic():
            for username, name, _note, unit, role, staff in PERSONAS:
                _persona(username, name, unit, role, staff)
        code = _first_dossier()
        _demo_hall()
        if not options["no_history"]:
            history.load(seed=options["seed"])
        if not options["quiet"]:
            self._print_logins(code)

    def _print_logins(self, code: str) -> None:
        out = self.stdout
        out.write("\nmotcua demo — http://127.0.0.1:8000")
        out.write(
            f"  Tra cứu hồ sơ mẫu: http://127.0.0.1:8000/tra-cuu/{code}/ "
            "(4 số cuối điện thoại: 5678)"
        )
        out.write(f"  Đăng nhập (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, name, note, unit, role, _ in PERSONAS:
            label = f"{name} ({note})" if note else name
            out.write(f"    {username:<20} {Role(role).label:<22} {unit:<12} {label}")
        out.write(f"  Kiosk lấy số: http://127.0.0.1:8000/sanh/AH/kiosk/{DEMO_KIOSK}/")
        out.write(f"  Màn hình gọi số: http://127.0.0.1:8000/sanh/AH/man-hinh/{DEMO_SCREEN}/")
        out.write("  Quầy phục vụ: http://127.0.0.1:8000/quay/quay-so/ (quay.tinh)")
        out.write("  Quản trị: http://127.0.0.1:8000/quan-tri/ (quantri)\n")


DEMO_KIOSK, DEMO_SCREEN = "demo-kiosk-ah", "demo-man-hinh-ah"  # tokens known: the demo only


def _demo_hall() -> None:
    """The provincial centre's hall: three groups, four counters, a kiosk and a screen."""
    hall, _ = Hall.objects.get_or_create(
        unit=Unit.objects.get(code="AH"),
        defaults={"priority_kinds": ["elderly", "disabled", "pregnant", "small_child"]},
    )
    for position, (code, name) in enumerate(
        [("A", "Hộ tịch, chứng thực"), ("B", "Đất đai, xây dựng"), ("C", "Tư pháp, lý lịch")]
    ):
        ServiceGroup.objects.get_or_create(
            hall=hall, code=code, defaults={"name": name, "position": position}
        )
    for number in ("1", "2", "3", "4"):
        Counter.objects.get_or_create(hall=hall, number=number)
    Device.objects.get_or_create(
        token=DEMO_KIOSK, defaults={"hall": hall, "kind": DeviceKind.KIOSK, "name": "Kiosk sảnh"}
    )
    Device.objects.get_or_create(
        token=DEMO_SCREEN,
        defaults={"hall": hall, "kind": DeviceKind.DISPLAY, "name": "Màn hình sảnh"},
    )


def _persona(username: str, full_name: str, unit_code: str, role: Role, staff: bool) -> None:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, unit=Unit.objects.get(code=unit_code), role=role)


def _first_dossier() -> str:
    existing = Dossier.objects.order_by("id").first()
    if existing is not None:
        return existing.code
    procedure = (
        Procedure.objects.filter(code=FIRST_DOSSIER_PROCEDURE).first()
        or Procedure.objects.order_by("code").first()
    )
    assert procedure is not None
    version = procedure.current_version()
    assert version is not None
    dossier = actions.receive_dossier(
        by=User.objects.get(username="quay.tinh"),
        unit=Unit.objects.get(code="AH"),
        version=version,
        applicant=actions.Applicant(
            name="Nguyễn Thị Hồng Nhung",
            phone="0912345678",
            address="Số 12 đường Lê Lợi, phường Bắc An, tỉnh An Hòa",
        ),
        channel=Channel.COUNTER,
        components=version.component_names()[:2] or [],
    )
    return dossier.code
