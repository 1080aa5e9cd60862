"""`motcua apitoken create USERNAME --name NAME` prints a new API token, once;
`motcua apitoken revoke PREFIX` revokes one; `motcua apitoken list [USERNAME]` shows them
(prefixes only: the secrets are not stored)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from motcua.accounts.models import User
from motcua.api.auth import issue_token, revoke_token
from motcua.api.models import ApiToken
from motcua.cli.base import MotcuaCommand
from motcua.core.errors import NotFound, ValidationFailed


class Command(MotcuaCommand):
    help = "Create, revoke and list the API tokens other systems use to act as a user."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token; it is printed only once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="which system uses it")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")
        listing = actions.add_parser("list", help="list tokens (prefixes, never secrets)")
        listing.add_argument("username", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise NotFound(f"Không có người dùng {options['username']}.", code="unknown_user")
        if not user.is_active:
            raise ValidationFailed(f"{user.username} đã bị khoá.", code="inactive_user")
        token, text = issue_token(user=user, name=options["name"])
        self.stdout.write(text)
        self.stderr.write(
            f"Khoá mc_{token.prefix}_… cho {user.username} ({token.name}). "
            "Lưu lại ngay: khoá không hiển thị lại."
        )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = revoke_token(options["prefix"])
        self.stdout.write(f"revoked mc_{token.prefix}_… ({token.user.username}, {token.name})")

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "created_at")
        if options["username"]:
            tokens = tokens.filter(user__username=options["username"])
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"mc_{token.prefix}_…\t{token.user.username}\t{token.name}\t{state}\tused {used}"
            )
