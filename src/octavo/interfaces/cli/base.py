"""The base of Octavo's subcommands: run as the command-line actor, turn errors into one line."""

from __future__ import annotations

import getpass
from abc import ABCMeta, abstractmethod
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from octavo.shared.actor import Actor
from octavo.shared.errors import OctavoError


class OctavoCommand(BaseCommand, metaclass=ABCMeta):
    actor: Actor

    def fail(self, message: str) -> NoReturn:
        raise CommandError(message, returncode=2)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = "unknown"
        self.actor = Actor.command_line(f"cli:{operator}")
        try:
            self.run(**options)
        except OctavoError as exc:
            # e.g. "code: a site with code NES already exists"
            raise CommandError(str(exc), returncode=2) from exc

    @abstractmethod
    def run(self, **options: Any) -> None:
        """Do the command's work with `self.actor`; raise OctavoError for the user's mistakes."""
