"""What a dossier withholds: fields named by the caller, presets, and pseudonyms.

A withheld field keeps only its commitment in the entry: its value and its salt leave the
dossier, so the entry still verifies and the value stays secret. Anonymisation (§13.5 TAG
consultation on de-selection, §16.1 weekly report, §20.43 DMCT EPCL Report) replaces Supplier
and Service Provider names with pseudonyms that are stable within one dossier; a pseudonym is
not the committed value, so an anonymised field is withheld and its pseudonym is *displayed*
beside it (``display`` in the event file), marked as unverified.

Presets:

- ``panel`` (§13.20, Panel-directed redaction): free-text commentary and contact details;
- ``supplier`` (§13.5, §16.1, §20.43): Supplier and Service Provider names pseudonymised,
  other identifying references withheld;
- ``public``: both.

Limit: an entry's header (who recorded the event: principal, role, organisation) is signed in
the clear and cannot be withheld; the account pseudonymises it for display only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledger.dossier.errors import DossierInputError
from ledger.rules.roles import Role

# Fields whose values are Supplier Party names, and Service Provider names.
SUPPLIER_FIELDS = frozenset({
    "supplier", "suppliers", "trigger_party", "disputed_by", "stakeholders", "parties",
})
SERVICE_PROVIDER_FIELDS = frozenset({"service_provider", "service_providers"})
# Identifying but not a name: withheld without a pseudonym under anonymisation.
IDENTIFYING_FIELDS = frozenset({"contacts", "submission_ref"})
PANEL_FIELDS = frozenset({"arguments", "rationale", "reason", "detail", "contacts"})
# Never withheld: the key chain proves the keys (signing.dossier).
KEY_CHAIN_FIELDS = frozenset({"origin", "key_id", "public_key", "previous_key_id"})
PSEUDONYMISED_ROLES = frozenset({Role.SUPPLIER, Role.DCC_SERVICE_PROVIDER, Role.TESTING_PARTICIPANT})


class Preset(StrEnum):
    PANEL = "panel"
    PUBLIC = "public"
    SUPPLIER = "supplier"


def preset_fields(preset: Preset | None) -> tuple[frozenset[str], frozenset[str]]:
    """(fields withheld, fields withheld and pseudonymised) for ``preset``."""
    anonymised = SUPPLIER_FIELDS | SERVICE_PROVIDER_FIELDS
    if preset is Preset.PANEL:
        return PANEL_FIELDS, frozenset()
    if preset is Preset.SUPPLIER:
        return IDENTIFYING_FIELDS, anonymised
    if preset is Preset.PUBLIC:
        return PANEL_FIELDS | IDENTIFYING_FIELDS, anonymised
    return frozenset(), frozenset()


def parse_preset(value: str | None) -> Preset | None:
    """Raises DossierInputError (field ``preset``) for an unknown preset."""
    if value is None:
        return None
    try:
        return Preset(value)
    except ValueError:
        names = ", ".join(p.value for p in Preset)
        raise DossierInputError("preset", f"{value!r} is not a preset ({names})") from None


@dataclass
class Pseudonyms:
    """Stable pseudonyms within one dossier, assigned in order of first appearance."""

    names: dict[str, str] = field(default_factory=dict)
    _suppliers: int = 0
    _providers: int = 0

    def of(self, name: str, provider: bool) -> str:
        if name not in self.names:
            if provider:
                self._providers += 1
                self.names[name] = f"Service Provider {self._providers}"
            else:
                self.names[name] = f"Supplier {_letters(self._suppliers)}"
                self._suppliers += 1
        return self.names[name]

    def value(self, value: Any, provider: bool) -> Any:
        if isinstance(value, str):
            return self.of(value, provider)
        if isinstance(value, list):
            return [self.value(v, provider) for v in value]
        if value is None:
            return None
        return "(withheld)"

    def actor(self, actor: Mapping[str, Any]) -> dict[str, Any]:
        """An entry header's actor as displayed: a Supplier's or Service Provider's principal
        and organisation replaced by the pseudonym of the principal."""
        shown = dict(actor)
        role = str(actor.get("role", ""))
        if role in PSEUDONYMISED_ROLES:
            provider = role == Role.DCC_SERVICE_PROVIDER
            alias = self.of(str(actor.get("principal")), provider)
            shown.update(principal=alias, organisation=alias)
        return shown


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


@dataclass(frozen=True)
class Redaction:
    """The fields to withhold, and those of them to display as pseudonyms."""

    withheld: frozenset[str]
    pseudonymised: frozenset[str]
    preset: Preset | None

    @property
    def anonymises(self) -> bool:
        return bool(self.pseudonymised)


def redaction(fields: Sequence[str], preset: Preset | None, available: Iterable[str]) -> Redaction:
    """Check ``fields`` (named by the caller) against the payload fields the dossier's events
    have, and add the preset's.

    Raises:
        DossierInputError: (field ``redact``) a name no event of the dossier has, or one the key
            chain needs.
    """
    known = set(available)
    for name in fields:
        if name in KEY_CHAIN_FIELDS:
            raise DossierInputError("redact", f"{name!r} proves the ledger's keys and cannot be withheld")
        if name not in known:
            listed = ", ".join(sorted(known))
            raise DossierInputError(
                "redact", f"no event of this dossier has a field {name!r} (fields: {listed})"
            )
    withheld, pseudonymised = preset_fields(preset)
    return Redaction(frozenset(fields) | withheld | pseudonymised, pseudonymised, preset)
