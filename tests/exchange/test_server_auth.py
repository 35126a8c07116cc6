"""Client-credential helpers: HTTP Basic and Bearer parsing, salted secret hashes."""

from __future__ import annotations

import base64

import pytest

from footprint.exchange.auth import (
    basic_auth_candidates,
    hash_secret,
    parse_basic_auth,
    parse_bearer,
    token_digest,
    verify_secret,
)


def basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def test_parse_basic_auth() -> None:
    assert parse_basic_auth(basic(b"id:se:cret")) == ("id", "se:cret")
    assert parse_basic_auth("  basic " + base64.b64encode(b"id:").decode()) == ("id", "")
    assert parse_basic_auth(basic("ïd:sécret".encode())) == ("ïd", "sécret")


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic",
        "Basic !!!",
        "Bearer abc",
        basic(b"no-colon"),
        basic(b":secret"),
        basic(b"\xff:x"),
    ],
)
def test_parse_basic_auth_rejects_malformed_headers(header: str | None) -> None:
    assert parse_basic_auth(header) is None


def test_basic_auth_candidates_add_the_form_decoded_pair() -> None:
    assert basic_auth_candidates("id", "s") == [("id", "s")]
    assert basic_auth_candidates("a%2Bb", "c+d") == [("a%2Bb", "c+d"), ("a+b", "c d")]


def test_parse_bearer() -> None:
    assert parse_bearer("Bearer abc.def") == "abc.def"
    assert parse_bearer("bearer  abc ") == "abc"
    for header in (None, "", "Bearer", "Bearer a b", "Basic abc", "abc"):
        assert parse_bearer(header) is None


def test_secret_hashes_are_salted_and_verified() -> None:
    first, second = hash_secret("s3cret"), hash_secret("s3cret")
    assert first != second
    assert first.startswith("scrypt$")
    assert "s3cret" not in first
    assert verify_secret("s3cret", first)
    assert verify_secret("s3cret", second)
    assert not verify_secret("s3cret!", first)
    assert not verify_secret("", first)
    for broken in (
        "",
        "plain",
        "pbkdf2$1$2$3$4$5",
        "scrypt$x$8$1$abc$def",
        "scrypt$16384$8$1$!!$!!",
    ):
        assert not verify_secret("s3cret", broken)


def test_token_digest_is_sha256_hex() -> None:
    assert len(token_digest("abc")) == 64
    assert token_digest("abc") != token_digest("abd")
