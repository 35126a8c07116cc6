"""Partner hosts' client secrets, encrypted at rest with a key kept outside the store.

The store keeps ``fernet:<token>`` (Fernet: AES-128-CBC with HMAC-SHA256, from ``cryptography``).
The key is read from the environment variable :data:`KEY_ENV` (a Fernet key, e.g. from a secrets
manager), else from the file :data:`KEY_FILE_ENV` names, else from ``pact-secrets.key`` in the
per-user configuration directory, created owner-only (0600) on first use. A copy of the database
alone does not reveal the secrets; losing the key means registering the secrets again.
Stores written before encryption hold secrets in clear; they are read as they are.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from footprint.errors import FootprintError
from footprint.output import private_directory, private_file

KEY_ENV = "FOOTPRINT_SECRET_KEY"
KEY_FILE_ENV = "FOOTPRINT_SECRET_KEY_FILE"
PREFIX = "fernet:"


def key_file() -> Path:
    """Where the key is kept when :data:`KEY_ENV` is not set."""
    named = os.environ.get(KEY_FILE_ENV)
    if named:
        return Path(named)
    from platformdirs import user_config_path

    return user_config_path("footprint", appauthor=False) / "pact-secrets.key"


def _fernet() -> Fernet:
    """The Fernet of the configured key, creating the key file on first use.

    Raises:
        FootprintError: the key is malformed or cannot be read or written.
    """
    text = os.environ.get(KEY_ENV)
    where = f"environment variable {KEY_ENV}"
    if not text:
        path = key_file()
        where = str(path)
        try:
            if not path.exists() or path.stat().st_size == 0:
                private_file(private_directory(path.parent) / path.name)
                path.write_bytes(Fernet.generate_key())
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise FootprintError(
                f"cannot read or create the key for partner secrets: {exc}",
                where=where,
                fix=f"check the file's permissions, or set {KEY_ENV} to a Fernet key",
            ) from None
    try:
        return Fernet(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise FootprintError(
            "not a Fernet key (32 url-safe base64-encoded bytes)",
            where=where,
            fix="generate one: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'",
        ) from None


def seal(secret: str) -> str:
    """``secret`` encrypted for the store (``""`` stays ``""``)."""
    if not secret:
        return ""
    return PREFIX + _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(stored: str) -> str:
    """The secret from its stored form (clear text from older stores is returned as it is).

    Raises:
        FootprintError: the key is not the one the secret was encrypted with.
    """
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise FootprintError(
            "a partner secret in the PACT store cannot be decrypted with this key",
            where=str(key_file()) if not os.environ.get(KEY_ENV) else KEY_ENV,
            fix="use the key it was stored with, or register the secret again "
            "(footprint clients reply ...)",
        ) from None


def is_sealed(stored: str) -> bool:
    """Whether a stored secret is encrypted (not clear text from an older store)."""
    return stored.startswith(PREFIX)
