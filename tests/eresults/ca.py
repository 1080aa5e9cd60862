"""A throwaway certificate authority and an agency's signing certificate, made by the tests
in a temporary directory: the PKCS#12 archive and the PEM files motcua's settings name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE = "mat-khau-thu-nghiem"


@dataclass(frozen=True)
class TestPki:
    ca_pem: Path
    certificate_pem: Path
    key_pem: Path  # encrypted with PASSPHRASE
    pkcs12: Path  # encrypted with PASSPHRASE, chain included
    ca_certificate: x509.Certificate
    certificate: x509.Certificate

    def pkcs12_settings(self) -> dict[str, object]:
        return {"pkcs12": str(self.pkcs12), "chain": [], "passphrase": PASSPHRASE}

    def pem_settings(self) -> dict[str, object]:
        return {
            "certificate": str(self.certificate_pem),
            "key": str(self.key_pem),
            "chain": [str(self.ca_pem)],
            "passphrase": PASSPHRASE,
        }


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thu nghiem motcua"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_pki(directory: Path) -> TestPki:
    start = datetime.now(UTC) - timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("CA thu nghiem"))
        .issuer_name(_name("CA thu nghiem"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("So Tu phap thu nghiem"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    encrypted = serialization.BestAvailableEncryption(PASSPHRASE.encode())
    paths = {
        "ca": directory / "ca.pem",
        "cert": directory / "signer.pem",
        "key": directory / "signer.key",
        "p12": directory / "signer.p12",
    }
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encrypted)
    )
    paths["p12"].write_bytes(
        pkcs12.serialize_key_and_certificates(b"signer", key, certificate, [ca], encrypted)
    )
    return TestPki(
        ca_pem=paths["ca"],
        certificate_pem=paths["cert"],
        key_pem=paths["key"],
        pkcs12=paths["p12"],
        ca_certificate=ca,
        certificate=certificate,
    )
