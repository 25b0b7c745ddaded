"""Where a procedure's dossier goes: each procedure's routing rule, as data, checked at load.

The law names the receiving body of each procedure by a place, and not always the applicant's:
tạm trú goes to the police of the ward where the applicant will stay (Luật Cư trú 2020, Điều 28),
a building permit to the ward of the site, a household business to the ward of its premises,
a birth to the residence of either parent. So every procedure of the catalogue carries a
`routing` rule, written next to its `authority` in api/law/data/procedures/<code>.yaml:

    {
        "to": "ward",                                   # or "province": the authority's level
        "ward_from": ["form.ward_code", "chosen", "residence"],
        "check_in_province": [],                        # form wards that must lie in the province
        "reason": "Luật Cư trú 2020, Điều 28: ...",     # why, for the citizen and the reviewer
    }

`ward_from` lists where the receiving ward comes from, first that gives one wins:

- `form.<field>`: a ward the application form names (the place of stay, of the site, of the
  premises). The field must be a top-level ward-code property of the procedure's form schema.
- `chosen`: the ward the applicant picks with the application's `ward_code`, where the law lets
  them choose among several places (either parent's residence, either spouse's).
- `residence`: the applicant's residence ward, from VNeID (the population database).

Province-level procedures have no `ward_from`; `check_in_province` names the form's wards that
must still lie in this province (a land parcel is registered by the province where it lies).
dossiers/service.py applies the rule; `check` refuses a rule that could send a dossier to the
wrong place, for instance a form that names a ward the rule ignores, which is how tạm trú once
went to the applicant's residence instead of the place of stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WARD, PROVINCE = "ward", "province"
CHOSEN, RESIDENCE = "chosen", "residence"
FORM_PREFIX = "form."
_KEYS = {"to", "ward_from", "check_in_province", "reason"}


class RoutingError(ValueError):
    """A procedure's routing rule that cannot be applied safely (a catalogue data error)."""


@dataclass(frozen=True)
class Routing:
    to: str
    ward_from: tuple[str, ...]
    check_in_province: tuple[str, ...]
    reason: str

    @property
    def applicant_may_choose(self) -> bool:
        return CHOSEN in self.ward_from

    def form_fields(self) -> tuple[str, ...]:
        """The form's ward fields the rule reads, routing or checked, in order."""
        sources = (*self.ward_from, *self.check_in_province)
        return tuple(s[len(FORM_PREFIX) :] for s in sources if s.startswith(FORM_PREFIX))


def form_field(source: str) -> str | None:
    """`form.ward_code` -> `ward_code`; None for `chosen` and `residence`."""
    return source[len(FORM_PREFIX) :] if source.startswith(FORM_PREFIX) else None


def parse(rule: Mapping[str, Any]) -> Routing:
    """The stored rule as a Routing (shape only; `check` validates it against the procedure)."""
    if not isinstance(rule, Mapping) or not rule:
        raise RoutingError("the procedure has no routing rule: run `flask catalogue seed`")
    return Routing(
        to=rule.get("to"),
        ward_from=tuple(rule.get("ward_from") or ()),
        check_in_province=tuple(rule.get("check_in_province") or ()),
        reason=rule.get("reason") or "",
    )


def _ward_properties(form_schema: Mapping[str, Any], ward_pattern: str) -> dict[str, bool]:
    """Top-level properties of the form holding a ward code: name -> required."""
    required = set(form_schema.get("required") or ())
    return {
        name: name in required
        for name, schema in (form_schema.get("properties") or {}).items()
        if isinstance(schema, Mapping) and schema.get("pattern") == ward_pattern
    }


def check(procedure: Mapping[str, Any], ward_pattern: str) -> dict[str, Any]:
    """Validate `procedure["routing"]` against the procedure; returns it in its stored shape.

    Raises RoutingError naming the procedure. `ward_pattern` is the catalogue's ward-code
    pattern: the form fields a rule reads must be ward codes, not free text.
    """
    code = procedure.get("code")
    raw = procedure.get("routing")

    def fail(message: str) -> RoutingError:
        return RoutingError(f"procedure {code!r}: routing {message}")

    if not isinstance(raw, Mapping):
        raise fail("is missing")
    if set(raw) - _KEYS:
        raise fail(f"has unknown keys {sorted(set(raw) - _KEYS)}")
    rule = parse(raw)
    if rule.to not in (WARD, PROVINCE):
        raise fail(f"'to' must be {WARD!r} or {PROVINCE!r}")
    if rule.to != procedure.get("authority"):
        raise fail(f"goes to {rule.to!r} but the authority is {procedure.get('authority')!r}")
    if len(rule.reason.strip()) < 20:
        raise fail("needs a reason (the legal text that names the place)")
    wards = _ward_properties(procedure.get("form_schema") or {}, ward_pattern)
    sources = (*rule.ward_from, *rule.check_in_province)
    if len(set(sources)) != len(sources):
        raise fail("names a source twice")
    for source in sources:
        field = form_field(source)
        if field is None and source not in (CHOSEN, RESIDENCE):
            raise fail(f"has an unknown source {source!r}")
        if field is not None and field not in wards:
            raise fail(f"reads form field {field!r}, which is not a ward code of the form")
    for source in rule.check_in_province:
        if form_field(source) is None:
            raise fail("checks only form fields against the province")
    if rule.to == WARD:
        if not rule.ward_from:
            raise fail("of a ward-level procedure needs ward_from")
        if rule.check_in_province:
            raise fail("of a ward-level procedure checks its ward already: no check_in_province")
        last = rule.ward_from[-1]
        if last != RESIDENCE and not wards.get(form_field(last) or "", False):
            # Without a last source that always answers, a dossier could find no ward at all.
            raise fail("must end with 'residence' or a required form ward")
    elif rule.ward_from:
        raise fail("of a province-level procedure takes no ward_from")
    ignored = set(wards) - set(rule.form_fields())
    if ignored:
        raise fail(f"ignores the form's ward field(s) {sorted(ignored)}: route by them or check them")
    return {
        "to": rule.to,
        "ward_from": list(rule.ward_from),
        "check_in_province": list(rule.check_in_province),
        "reason": rule.reason,
    }
