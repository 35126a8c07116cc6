"""Self-signed certificates for the HTTPS server."""

from __future__ import annotations

import ssl
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509

from footprint.exchange.tls import self_signed_certificate


def names(cert_path: Path) -> tuple[set[str], set[str]]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), {
        str(ip) for ip in san.get_values_for_type(x509.IPAddress)
    }


def test_creates_a_certificate_for_loopback_and_the_host(tmp_path: Path) -> None:
    cert_path, key_path = self_signed_certificate(
        tmp_path / "tls", ["pact.example.com", "10.1.2.3", "0.0.0.0"]
    )
    dns, ips = names(cert_path)
    assert dns == {"localhost", "pact.example.com"}
    assert ips == {"127.0.0.1", "10.1.2.3"}
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    lifetime = cert.not_valid_after_utc - datetime.now(UTC)
    assert timedelta(days=364) < lifetime <= timedelta(days=365)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)  # the key matches the certificate


def test_reuses_a_matching_certificate(tmp_path: Path) -> None:
    cert_path, key_path = self_signed_certificate(tmp_path, ["pact.example.com"])
    before = cert_path.read_bytes(), key_path.read_bytes()
    assert self_signed_certificate(tmp_path, ["PACT.example.com"]) == (cert_path, key_path)
    assert self_signed_certificate(tmp_path, []) == (cert_path, key_path)
    assert (cert_path.read_bytes(), key_path.read_bytes()) == before


def test_replaces_a_certificate_without_the_host_or_broken_files(tmp_path: Path) -> None:
    cert_path, _ = self_signed_certificate(tmp_path, [])
    before = cert_path.read_bytes()
    self_signed_certificate(tmp_path, ["other.example.com"])
    assert cert_path.read_bytes() != before
    assert "other.example.com" in names(cert_path)[0]
    cert_path.write_text("garbage")
    self_signed_certificate(tmp_path, [])
    assert "localhost" in names(cert_path)[0]
