"""Sealed offers: envelope encryption with AES-GCM (256-bit keys, `cryptography`).

- Each consultation gets a random data key at publication. The database keeps it only wrapped (encrypted)
  under a master key; the master key is derived (HKDF-SHA256) from `settings.SEALING_KEYS` (the environment
  variable TAWRID_SEALING_KEYS, comma-separated), which never lives in the database. A dump of the database
  therefore holds ciphertext only.
- The first master key wraps new data keys; every key is tried to unwrap, so keys rotate: put the new key
  first, keep the old ones until `rewrap_key` has re-wrapped every consultation's key, then drop them.
- Without TAWRID_SEALING_KEYS the master key is derived from SECRET_KEY (under its own HKDF label, so it is
  not the SECRET_KEY itself). That is for development: a production deployment must set its own
  TAWRID_SEALING_KEYS, kept apart from the database and its backups.
- An offer's contents are sealed under the data key with associated data binding the consultation, the lot,
  the supplier and the offer's version: a payload copied into another offer (or an older version replayed)
  fails to authenticate.
- `unseal` refuses unless the consultation is opened — as the object says AND as the database says — so the
  opening service is the only way in; a page, an export or the admin site cannot read amounts early.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tawrid.core.errors import DomainError

KEY_BYTES = 32
NONCE_BYTES = 12
MIN_SECRET_LENGTH = 32
WRAP_FORMAT = b"\x01"
_SALT = b"tawrid.sourcing.sealing"
_INFO_CONFIGURED = b"tawrid.sourcing.master-key.v1"
_INFO_FROM_SECRET_KEY = b"tawrid.sourcing.master-key.from-secret-key.v1"


class SealedError(DomainError):
    """The offers of this consultation are still sealed (or a sealed value does not authenticate)."""


@dataclass(frozen=True)
class Sealed:
    nonce: bytes
    payload: bytes


# Master keys -------------------------------------------------------------------------------------------------


def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_SALT, info=info).derive(secret.encode("utf-8"))


def master_keys() -> list[bytes]:
    """The master keys, the sealing one first."""
    configured = [key.strip() for key in getattr(settings, "SEALING_KEYS", []) if key and key.strip()]
    for key in configured:
        if len(key) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"Every TAWRID_SEALING_KEYS entry must be at least {MIN_SECRET_LENGTH} characters long."
            )
    if configured:
        return [_derive(key, _INFO_CONFIGURED) for key in configured]
    return [_derive(settings.SECRET_KEY, _INFO_FROM_SECRET_KEY)]


def _key_aad(consultation_id: int) -> bytes:
    return f"tawrid/consultation-key/v1|consultation={consultation_id}".encode()


def new_wrapped_key(*, consultation_id: int) -> bytes:
    """A fresh random data key for a consultation, wrapped under the first master key."""
    data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    return _wrap(data_key, consultation_id)


def _wrap(data_key: bytes, consultation_id: int) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    wrapped = AESGCM(master_keys()[0]).encrypt(nonce, data_key, _key_aad(consultation_id))
    return WRAP_FORMAT + nonce + wrapped


def _unwrap(wrapped: bytes | memoryview | None, consultation_id: int) -> bytes:
    if not wrapped:
        raise SealedError(_("This consultation has no sealing key: it has not been published."), code="no_key")
    raw = bytes(wrapped)
    if raw[:1] != WRAP_FORMAT:
        raise SealedError(_("The sealing key of this consultation is unreadable."), code="bad_key")
    nonce, ciphertext = raw[1 : 1 + NONCE_BYTES], raw[1 + NONCE_BYTES :]
    for master in master_keys():
        try:
            return AESGCM(master).decrypt(nonce, ciphertext, _key_aad(consultation_id))
        except InvalidTag:
            continue
    raise SealedError(
        _("The sealing key of this consultation cannot be unwrapped with the configured keys."), code="bad_key"
    )


def rewrap_key(*, wrapped: bytes | memoryview, consultation_id: int) -> bytes:
    """The same data key wrapped under the current first master key (for key rotation)."""
    return _wrap(_unwrap(wrapped, consultation_id), consultation_id)


# Offers ------------------------------------------------------------------------------------------------------


def offer_aad(*, consultation_id: int, lot_id: int, supplier_id: int, version: int) -> bytes:
    return (
        f"tawrid/offer/v1|consultation={consultation_id}|lot={lot_id}|supplier={supplier_id}|version={version}"
    ).encode()


def seal(*, consultation: Any, lot_id: int, supplier_id: int, version: int, contents: dict[str, Any]) -> Sealed:
    """Seal an offer's contents (JSON-serialisable) for the consultation, bound to (lot, supplier, version)."""
    data_key = _unwrap(consultation.sealing_key, consultation.pk)
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(contents, sort_keys=True, separators=(",", ":")).encode("utf-8")
    aad = offer_aad(consultation_id=consultation.pk, lot_id=lot_id, supplier_id=supplier_id, version=version)
    return Sealed(nonce=nonce, payload=AESGCM(data_key).encrypt(nonce, plaintext, aad))


def _require_opened(consultation: Any) -> None:
    from tawrid.sourcing.models import OPENED_STATUSES, Consultation

    opened = [str(s) for s in OPENED_STATUSES]
    in_memory = consultation.status in opened and consultation.opened_at is not None
    # The object could have been changed in memory: the database must agree that the opening took place.
    stored = Consultation.objects.filter(pk=consultation.pk, status__in=opened, opened_at__isnull=False).exists()
    if not (in_memory and stored):
        raise SealedError(_("The offers stay sealed until the committee opens the consultation."), code="sealed")


def unseal(*, consultation: Any, offer: Any) -> dict[str, Any]:
    """The contents of an offer of an opened consultation; refused while the consultation is not opened."""
    _require_opened(consultation)
    if offer.consultation_id != consultation.pk:
        raise SealedError(_("This offer belongs to another consultation."), code="wrong_consultation")
    data_key = _unwrap(consultation.sealing_key, consultation.pk)
    aad = offer_aad(
        consultation_id=consultation.pk, lot_id=offer.lot_id, supplier_id=offer.supplier_id, version=offer.version
    )
    try:
        plaintext = AESGCM(data_key).decrypt(bytes(offer.nonce), bytes(offer.sealed_payload), aad)
    except InvalidTag:
        raise SealedError(
            _("An offer's sealed contents do not authenticate: they were altered or moved."), code="tampered"
        ) from None
    contents: dict[str, Any] = json.loads(plaintext)
    return contents
