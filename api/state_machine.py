"""The one shape of every status machine in the product: a table of named transitions.

A dossier, a report, a fine notice, a payment, a campaign and an article each move through
statuses. Each domain writes its moves as rows of one `StateMachine`: the move's name, who takes
it, the statuses it starts from, the status it leads to, whether a note is required, and the line
the citizen reads in the history. Anything not in the table is refused with `IllegalTransition`,
so a status can never jump, and the table is the one place a reader (or a test) learns the rules.

The machine only answers questions; the domain's service applies a move with a conditional UPDATE
(`api.concurrency.compare_and_set` with `machine.from_condition(column, name)`), so two requests
racing on one row cannot both win.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Transition:
    name: str
    actor: str  # who takes it: "citizen", "officer", "staff", "system", … as the domain names them
    from_statuses: frozenset[Hashable]
    to_status: Hashable
    note_required: bool = False
    label: str = ""  # what the citizen (or the staff member) reads in the history
    # Anything else a domain keeps per move (a report's note is the citizen's to read, …).
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not fields: a domain's extra column reads as an attribute.
        try:
            return self.__dict__["extra"][name]
        except KeyError:
            raise AttributeError(name) from None


def move(
    name: str,
    actor: str,
    from_statuses: Iterable[Hashable],
    to_status: Hashable,
    *,
    note_required: bool = False,
    label: str = "",
    **extra: Any,
) -> Transition:
    """One row of a machine's table."""
    return Transition(name, actor, frozenset(from_statuses), to_status, note_required, label, extra)


class IllegalTransition(Exception):
    """`transition` cannot be taken from `status`."""

    def __init__(self, transition: Transition, status: Hashable) -> None:
        super().__init__(f"{transition.name} not allowed from status {status!r}")
        self.transition = transition
        self.status = status

    @property
    def action(self) -> Transition:
        return self.transition


class StateMachine(Mapping[str, Transition]):
    """The table of a domain's moves, read like a dict from move name to `Transition`."""

    def __init__(
        self,
        statuses: Iterable[Hashable],
        transitions: Iterable[Transition],
        *,
        final: Iterable[Hashable] = (),
    ) -> None:
        self.statuses = tuple(statuses)
        self.final = frozenset(final)
        self._transitions = {transition.name: transition for transition in transitions}
        known = set(self.statuses)
        for transition in self._transitions.values():
            unknown = (set(transition.from_statuses) | {transition.to_status}) - known
            if unknown:
                raise ValueError(f"{transition.name}: unknown statuses {sorted(map(str, unknown))}")
            if transition.from_statuses & self.final:
                raise ValueError(f"{transition.name}: leaves a final status")

    def __getitem__(self, name: str) -> Transition:
        return self._transitions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._transitions)

    def __len__(self) -> int:
        return len(self._transitions)

    def next_status(self, transition: Transition | str, current: Hashable) -> Hashable:
        """The status `transition` leads to from `current`, or IllegalTransition."""
        if isinstance(transition, str):
            transition = self[transition]
        if not self.can(transition, current):
            raise IllegalTransition(transition, current)
        return transition.to_status

    def can(self, transition: Transition | str, current: Hashable) -> bool:
        """Whether `transition` can be taken from `current`."""
        if isinstance(transition, str):
            transition = self[transition]
        return current in transition.from_statuses

    def move_to(self, current: Hashable, new: Hashable) -> Transition | None:
        """The move that takes `current` to `new`, or None when the table has none (for a status
        learnt from outside, such as a provider's answer, that would go back or stay)."""
        return next((self[name] for name in self.allowed(current) if self[name].to_status == new), None)

    def allowed(self, current: Hashable, actor: str | None = None) -> list[str]:
        """The moves that can be taken from `current` (by `actor`, if given), in table order."""
        return [
            name
            for name, transition in self._transitions.items()
            if current in transition.from_statuses and (actor is None or transition.actor == actor)
        ]

    def names(self, actor: str) -> tuple[str, ...]:
        """Every move `actor` takes, in table order."""
        return tuple(name for name, transition in self._transitions.items() if transition.actor == actor)

    def from_condition(self, column: Any, transition: Transition | str) -> Any:
        """The SQL condition "the row is still in a status this move starts from", for a
        conditional UPDATE that loses cleanly to a concurrent move."""
        if isinstance(transition, str):
            transition = self[transition]
        return column.in_(sorted(transition.from_statuses, key=str))
