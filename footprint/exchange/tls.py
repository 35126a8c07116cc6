"""A self-signed TLS certificate for serving the PACT API over HTTPS (development, closed networks)."""

from __future__ import annotations

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from footprint.output import private_directory

CERT_FILENAME = "cert.pem"
KEY_FILENAME = "key.pem"
VALIDITY = timedelta(days=365)
_DEFAULT_NAMES = ("localhost", "127.0.0.1")
_RENEW_BEFORE = timedelta(days=1)

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _names(hostnames: list[str]) -> tuple[list[str], list[_IPAddress]]:
    dns: list[str] = []
    ips: list[_IPAddress] = []
    for name in [*_DEFAULT_NAMES, *hostnames]:
        name = name.strip().strip("[]")
        if not name:
            continue
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            if name.lower() not in dns:
                dns.append(name.lower())
            continue
        if not ip.is_unspecified and ip not in ips:  # 0.0.0.0 / :: are listen addresses, not names
            ips.append(ip)
    return dns, ips


def _reusable(cert_path: Path, key_path: Path, dns: list[str], ips: list[_IPAddress]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    same_key = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fresh = cert.not_valid_after_utc - _RENEW_BEFORE > datetime.now(UTC)
    has_names = set(dns) <= {n.lower() for n in san.get_values_for_type(x509.DNSName)} and set(
        ips
    ) <= set(san.get_values_for_type(x509.IPAddress))
    return same_key and fresh and has_names


def self_signed_certificate(directory: Path, hostnames: list[str]) -> tuple[Path, Path]:
    """``(cert.pem, key.pem)`` in ``directory``: a self-signed EC P-256 certificate, valid one year.

    Its subject alternative names are localhost, 127.0.0.1 and ``hostnames`` (DNS names or IP
    addresses). Existing files are reused while they match each other, cover these names and stay
    valid for more than a day; otherwise new ones are written (the key readable by the owner only).
    Clients trust the certificate by using ``cert.pem`` as their CA file.
    """
    private_directory(directory)
    cert_path, key_path = directory / CERT_FILENAME, directory / KEY_FILENAME
    dns, ips = _names(hostnames)
    if _reusable(cert_path, key_path, dns, ips):
        return cert_path, key_path

    key = ec.generate_private_key(ec.SECP256R1())
    common_name = next((n for n in dns if n != "localhost"), dns[0])
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "footprint PACT host (self-signed)"),
        ]
    )
    now = datetime.now(UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns]
    alt_names += [x509.IPAddress(ip) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_bytes)
    os.chmod(key_path, 0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path
