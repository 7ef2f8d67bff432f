"""TLS without hand work: a node's own certificate authority and a server certificate for
its names, written by `trinity-agent init --tls`.

The CA (ca.pem, ca.key) signs the server certificate (agent.crt, agent.key); the
controller trusts the CA (`tls_ca` in models.toml), so a reissued server certificate (new
names, expiry) needs nothing new on the laptop. Keys are written 0600 from the start. A
CA already in the folder is reused, never replaced: replacing it would cut off every
controller that trusts it.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from trinity.agent.errors import ConfigError

CA_DAYS = 3650
SERVER_DAYS = 825  # what browsers accept for a server certificate; reissue with --force
CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY = "ca.pem", "ca.key", "agent.crt", "agent.key"


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    key_cert_sign=True,
    crl_sign=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class TlsFiles:
    """What `init --tls` wrote (or reused) in a folder."""

    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path
    names: tuple[str, ...]
    ca_reused: bool


def default_names(listen_host: str) -> list[str]:
    """The names a controller may use for this node: its host names, loopback, the listen
    address when it is a specific one."""
    names = [socket.gethostname(), socket.getfqdn(), "localhost", "127.0.0.1"]
    if listen_host not in ("", "0.0.0.0", "::", "[::]"):
        names.append(listen_host.strip("[]"))
    return _unique(names)


def write_tls(folder: Path, names: Sequence[str]) -> TlsFiles:
    """A CA (reused when the folder has one) and a server certificate for `names`."""
    if not names:
        raise ConfigError("a server certificate needs at least one name (--tls-name)")
    files = TlsFiles(folder / CA_CERT, folder / CA_KEY, folder / SERVER_CERT,
                     folder / SERVER_KEY, tuple(names), ca_reused=False)  # fmt: skip
    if files.ca_cert.exists() and files.ca_key.exists():
        ca_cert, ca_key = _load_ca(files.ca_cert, files.ca_key)
        files = dataclasses.replace(files, ca_reused=True)
    else:
        ca_cert, ca_key = _new_ca(f"Trinity node CA ({socket.gethostname()})")
        _write(files.ca_key, _key_pem(ca_key), private=True)
        _write(files.ca_cert, ca_cert.public_bytes(serialization.Encoding.PEM))
    cert, key = _server_cert(ca_cert, ca_key, names)
    _write(files.key, _key_pem(key), private=True)
    _write(files.cert, cert.public_bytes(serialization.Encoding.PEM))
    return files


def _new_ca(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        _builder(name, name, key.public_key(), CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _server_cert(
    ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, names: Sequence[str]
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (
        _builder(subject, ca_cert.subject, key.public_key(), SERVER_DAYS)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, days: int
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _load_ca(
    cert_path: Path, key_path: Path
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the CA in {cert_path.parent} cannot be read ({exc}): remove "
                          f"{CA_CERT} and {CA_KEY} to make a new one") from None  # fmt: skip
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ConfigError(f"{key_path} is not the EC key trinity-agent writes")
    return cert, key


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    """Written whole under a temporary name, then renamed; a key is 0600 from its first byte."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _unique(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen
