"""Dossier states (trạng thái hồ sơ), domain.md §4.2. Pure Python: the names and their meaning.

The full transition table (who may move a dossier from which state to which) grows here with
the processing capability; intake only creates RECEIVED dossiers."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "SUBMITTED"  # mới đăng ký / chờ tiếp nhận (online, not yet received)
    NEEDS_COMPLETION_AT_RECEPTION = "NEEDS_COMPLETION_AT_RECEPTION"  # hướng dẫn bổ sung
    REFUSED_AT_RECEPTION = "REFUSED_AT_RECEPTION"  # từ chối tiếp nhận
    RECEIVED = "RECEIVED"  # mới tiếp nhận: the legal clock runs
    IN_PROCESS = "IN_PROCESS"  # đang xử lý
    AWAITING_SUPPLEMENT = "AWAITING_SUPPLEMENT"  # chờ bổ sung: clock paused
    AWAITING_OBLIGATION = "AWAITING_OBLIGATION"  # chờ thực hiện nghĩa vụ tài chính
    STOPPED = "STOPPED"  # dừng xử lý / rút hồ sơ
    RETURNED_NOT_RESOLVED = "RETURNED_NOT_RESOLVED"  # trả lại hồ sơ
    RESOLVED = "RESOLVED"  # đã xử lý xong: result ready
    RETURNED = "RETURNED"  # đã trả kết quả


TERMINAL = frozenset(
    {Status.REFUSED_AT_RECEPTION, Status.STOPPED, Status.RETURNED_NOT_RESOLVED, Status.RETURNED}
)
CLOCK_RUNNING = frozenset({Status.RECEIVED, Status.IN_PROCESS, Status.AWAITING_OBLIGATION})
