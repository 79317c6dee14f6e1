"""``index.html``: the human-readable account of a dossier (timeline, parties, clauses, windows
met or missed, outcome), rendered with jinja2 from exactly what the dossier discloses.

The page is built from the redacted events, never from the ledger, so a withheld value cannot
reach it; pseudonyms are marked as such. It is plain HTML and CSS (no script) and says that the
events, not the page, are what verifies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ledger.dossier.collect import Aggregate, StoredEvent
from ledger.dossier.redaction import Pseudonyms
from ledger.rules.errors import RuleNotFoundError
from ledger.rules.routes import route as route_row

_ENV = Environment(
    loader=PackageLoader("ledger.dossier", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_MAX_SHOWN = 240


@dataclass(frozen=True)
class Shown:
    """One event as the dossier shows it: disclosed values, withheld names, pseudonyms."""

    event: StoredEvent
    role: str
    values: Mapping[str, Any]  # disclosed
    display: Mapping[str, Any]  # pseudonyms of withheld fields
    withheld: Sequence[str]
    actor: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.event.topic.rsplit(".", 1)[-1]

    @property
    def aggregate(self) -> str:
        return self.event.topic.split(":", 1)[-1].rsplit(".", 1)[0]

    @property
    def occurred_at(self) -> str:
        return str(self.event.header.get("occurred_at", ""))

    def rows(self) -> list[tuple[str, str, str]]:
        """(field, shown value, kind) with kind disclosed | pseudonym | withheld."""
        out = [(k, _short(v), "disclosed") for k, v in sorted(self.values.items()) if v not in (None, [], {})]
        out += [(k, _short(v), "pseudonym") for k, v in sorted(self.display.items())]
        out += [(k, "", "withheld") for k in self.withheld if k not in self.display]
        return out


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _window(matter: Sequence[Shown], shown: Sequence[Shown]) -> dict[str, Any] | None:
    raised = matter[0]
    window = raised.values.get("window")
    if "window" in raised.withheld:
        return {"withheld": True}
    if not isinstance(window, dict):
        return None
    act = window.get("act")
    taken = next((s for s in matter if (act == "referral" and s.name == "MatterReferred")
                  or (act == "raise" and s.name == "MatterRaised")), None)
    ends = _when(str(window.get("ends_at", "")))
    if taken is None:
        # Untaken: missed once the window has closed before the last event this dossier holds.
        history = [_when(s.occurred_at) for s in shown if s.role != "keychain"]
        latest = max(history, key=lambda w: w.timestamp() if w else 0.0)
        closed = ends is not None and latest is not None and latest > ends
        verdict = "missed (not taken before the window closed)" if closed else "not taken (yet)"
    else:
        at = _when(taken.occurred_at)
        verdict = "met" if at is not None and ends is not None and at <= ends else "missed"
    return {**window, "taken_at": None if taken is None else taken.occurred_at, "verdict": verdict}


def _outcome(matter: Sequence[Shown]) -> dict[str, Any]:
    last = matter[-1]
    if last.name == "MatterDetermined":
        keys = ("determined_by", "outcome", "outcome_code", "final_and_binding")
        return {"status": "determined",
                **{k: last.values.get(k, "(withheld)" if k in last.withheld else None) for k in keys}}
    if last.name == "MatterWithdrawn":
        return {"status": "withdrawn", "withdrawn_by": last.values.get("withdrawn_by"),
                "outcome": last.values.get("reason", "(withheld)")}
    return {"status": "pending (referred)" if last.name == "MatterReferred" else "pending (raised)"}


def _parties(matter: Sequence[Shown]) -> list[tuple[str, str]]:
    parties: list[tuple[str, str]] = []
    for s in matter:
        for key in ("raised_by", "trigger_party", "to", "referred_by", "determined_by", "withdrawn_by"):
            value = s.display.get(key, s.values.get(key))
            if value is not None:
                parties.append((key.replace("_", " "), _short(value)))
        actor = s.actor
        parties.append((f"recorded {s.name} ({s.event.version})",
                        f"{actor.get('principal')} ({actor.get('role')}, {actor.get('organisation')})"))
    return list(dict.fromkeys(parties))


def _clauses(shown: Sequence[Shown], route_clauses: Sequence[str]) -> list[str]:
    found = list(route_clauses)
    for s in shown:
        found += [str(c) for c in s.values.get("clauses") or []]
    return list(dict.fromkeys(found))


def shown_events(
    aggregates: Sequence[Aggregate], values: Mapping[int, Mapping[str, Any]],
    display: Mapping[int, Mapping[str, Any]], pseudonyms: Pseudonyms | None,
) -> list[Shown]:
    """What the page shows of each event (``values``/``display`` keyed by position)."""
    shown = []
    for agg in aggregates:
        for e in agg.events:
            disclosed = values[e.position]
            actor = e.header.get("actor", {})
            shown.append(Shown(
                e, agg.role, disclosed, display.get(e.position, {}),
                sorted(set(e.header["commitments"]) - set(disclosed)),
                pseudonyms.actor(actor) if pseudonyms is not None else actor,
            ))
    return shown


def render(
    shown: Sequence[Shown], matter_id: str, checkpoint: Mapping[str, Any], redaction: Mapping[str, Any],
    unresolved: Sequence[Mapping[str, str]],
) -> str:
    """The account as one HTML document."""
    matter = [s for s in shown if s.role == "matter"]
    raised = matter[0].values
    route = None
    if isinstance(raised.get("route_id"), str):
        try:
            route = route_row(raised["route_id"])
        except RuleNotFoundError:
            route = None
    timeline = sorted(
        (s for s in shown if s.role != "keychain"), key=lambda s: (s.occurred_at, s.event.position)
    )
    return _ENV.get_template("index.html.j2").render(
        matter_id=matter_id, reference=raised.get("reference"), route=route,
        subjects=raised.get("subjects") or [], unresolved=unresolved,
        outcome=_outcome(matter), window=_window(matter, shown), parties=_parties(matter),
        clauses=_clauses(shown, route.clauses if route else ()), timeline=timeline,
        checkpoint=checkpoint, redaction=redaction,
        counts={"events": len(shown), "aggregates": len({s.event.originator_id for s in shown})},
    )
