"""Encryption at rest for auth-connection secrets (Fernet, key from settings)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Depends, Request

from drio.settings import Environment, Settings

KEY_FILE = "secrets.key"


class SecretBox:
    """Encrypts and decrypts single secret values. Never logs what it holds."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("the secret cannot be decrypted with this key") from exc


def _load_or_create_key(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    # Created with 0600 from the start, so the key is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def secret_box_for(settings: Settings) -> SecretBox:
    """The box for DRIO_SECRETS_KEY, or in development a key kept in the data folder."""
    if settings.secrets_key is not None:
        return SecretBox(settings.secrets_key.get_secret_value().encode())
    if settings.env is Environment.production:
        raise RuntimeError("production needs DRIO_SECRETS_KEY")
    return SecretBox(_load_or_create_key(settings.data_dir))


def get_secret_box(request: Request) -> SecretBox:
    box = getattr(request.app.state, "secret_box", None)
    if not isinstance(box, SecretBox):
        box = secret_box_for(request.app.state.settings)
        request.app.state.secret_box = box
    return box


SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]
