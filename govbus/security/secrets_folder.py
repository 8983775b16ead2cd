"""The secrets folder: one password file per principal, readable by its owner only.

It lives in the project's state dir (``<project>/.govbus/secrets/``, git-ignored with the rest of
``.govbus``). Like ssh with its keys, govbus refuses a secret file that others could read.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from datetime import datetime, timezone
from pathlib import Path

from pydantic import SecretStr

from govbus.errors import ConfigurationError

MECHANISM = "SCRAM-SHA-512"


def new_password() -> SecretStr:
    """256 random bits, URL-safe, so it survives env vars, JAAS quoting and shells unescaped."""
    return SecretStr(secrets.token_urlsafe(32))


class SecretsFolder:
    """Passwords of the principals this deployment runs, in ``<folder>/<principal>.json``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path(self, principal: str) -> Path:
        return self.folder / f"{principal}.json"

    def get(self, principal: str) -> SecretStr | None:
        """The principal's password, or None if this folder has none."""
        path = self.path(principal)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigurationError(f"{path} is readable by others (mode {stat.S_IMODE(mode):o}): chmod 600 {path}")
        try:
            return SecretStr(json.loads(path.read_text())["password"])
        except (ValueError, KeyError) as exc:
            raise ConfigurationError(f"{path} is not a govbus secret file: {exc.__class__.__name__}") from None

    def put(self, principal: str, password: SecretStr) -> Path:
        """Write the principal's password atomically, mode 0600 from the first byte."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        path = self.path(principal)
        staging = path.with_suffix(".tmp")
        body = {
            "principal": principal,
            "mechanism": MECHANISM,
            "password": password.get_secret_value(),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump(body, out)
        os.replace(staging, path)
        return path

    def ensure(self, principal: str) -> SecretStr:
        """The principal's password, made and kept now if it has none yet."""
        password = self.get(principal)
        if password is None:
            password = new_password()
            self.put(principal, password)
        return password

    def remove(self, principal: str) -> bool:
        try:
            self.path(principal).unlink()
        except FileNotFoundError:
            return False
        return True

    def principals(self) -> list[str]:
        return sorted(path.stem for path in self.folder.glob("*.json")) if self.folder.is_dir() else []
