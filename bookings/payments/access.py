"""Who may see a payment page: the traveller the reference belongs to, or whoever holds a signed
link to it. Anyone else is told the page does not exist (404), so a reference is never confirmed.

Payments knows references, not travellers: the app that owns a reference (bookings) registers
how to find its traveller in its AppConfig.ready():

    from bookings.payments.access import register_reference_owner
    register_reference_owner(lambda reference: <user id or None>)

A signed link (``pay_link``) carries the reference and its expiry, signed with SECRET_KEY; it is
what a traveller is sent (mail, API answer) to pay from a device where they are not signed in.
"""
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "payments.pay-link"
_owner_lookups: list[Callable[[str], int | None]] = []


def register_reference_owner(lookup: Callable[[str], int | None]) -> None:
    if lookup not in _owner_lookups:
        _owner_lookups.append(lookup)


def reference_owner_id(*, reference: str) -> int | None:
    for lookup in _owner_lookups:
        owner_id = lookup(reference)
        if owner_id is not None:
            return owner_id
    return None


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def pay_link_token(*, reference: str, expires_at: datetime) -> str:
    """The reference and the expiry, signed: the same link for the same invoice, unforgeable."""
    return _signer().sign_object({"ref": reference, "exp": int(expires_at.timestamp())}, compress=True)


def pay_link(*, reference: str, expires_at: datetime) -> str:
    """The payment page's path with a token that opens it, signed in or not, until ``expires_at``
    (the end of the invoice's monitoring window is the natural choice)."""
    token = pay_link_token(reference=reference, expires_at=expires_at)
    return f"{reverse('payments:pay', args=[reference])}?{urlencode({'t': token})}"


def token_opens(*, token: str, reference: str) -> bool:
    if not token:
        return False
    try:
        claims = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        return False
    if not isinstance(claims, dict) or claims.get("ref") != reference:
        return False
    expires = claims.get("exp")
    return isinstance(expires, int) and expires > timezone.now().timestamp()


def may_see_payment(*, user, reference: str, token: str) -> bool:
    if token_opens(token=token, reference=reference):
        return True
    if not user.is_authenticated:
        return False
    return reference_owner_id(reference=reference) == user.pk
