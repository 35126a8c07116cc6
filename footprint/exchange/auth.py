"""OAuth2 client-credentials helpers: HTTP Basic parsing, salted secret hashing, token digests."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import secrets
from urllib.parse import unquote_plus

# scrypt cost: 16 MiB of memory and ~50 ms per check; the parameters are stored with each hash.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_LEN = 32
_SALT_LEN = 16
_SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_client_id() -> str:
    """A random, URL-safe client id."""
    return "pact-" + secrets.token_urlsafe(12)


def new_secret() -> str:
    """A random client secret: 256 bits, URL-safe, never starting with '-' (for command lines)."""
    while (secret := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return secret


def new_access_token() -> str:
    """A random opaque access token (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Hash a secret with scrypt and a fresh random salt: ``scrypt$n$r$p$salt$hash``."""
    salt = secrets.token_bytes(_SALT_LEN)
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_SCRYPT_LEN
    )
    return f"{_SCHEME}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches a hash from :func:`hash_secret` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCHEME:
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=128 * int(r) * int(n) * 2 + 1024 * 1024,
        )
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_secret(new_secret())


def burn_verification(secret: str) -> None:
    """Spend the time of one :func:`verify_secret` call, so that an unknown client id is not
    told apart from a wrong secret by timing."""
    verify_secret(secret, _dummy_hash())


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which an access token is stored.

    Access tokens are 256-bit random strings, so a fast unsalted hash suffices (and allows lookup).
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_basic_auth(header: str | None) -> tuple[str, str] | None:
    """``(client_id, secret)`` from an ``Authorization: Basic ...`` header, or None if absent/malformed.

    The values are returned as sent; see :func:`basic_auth_candidates` for RFC 6749's
    form-encoding of client credentials.
    """
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id:
        return None
    return client_id, secret


def basic_auth_candidates(client_id: str, secret: str) -> list[tuple[str, str]]:
    """The credentials to try: as sent, then form-decoded (RFC 6749 §2.3.1) if that differs."""
    candidates = [(client_id, secret)]
    decoded = (unquote_plus(client_id), unquote_plus(secret))
    if decoded != candidates[0]:
        candidates.append(decoded)
    return candidates


def parse_bearer(header: str | None) -> str | None:
    """The token from an ``Authorization: Bearer ...`` header, or None if absent/malformed."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token
