"""The packs a gate may judge with: the built-in ones and those its operator named at start.

A client names a pack by name only; it can never make the server read a file of its choosing.
"""

from __future__ import annotations

import threading

from faircollect.gate.errors import invalid
from faircollect.policy.pack import BUILTIN, Pack, PackError, load_pack


class PackBook:
    def __init__(self, default: str = "cn", extra: tuple[str, ...] = ()) -> None:
        self.default = default
        self.allowed = frozenset((*BUILTIN, default, *extra))
        self._packs: dict[str, Pack] = {}
        self._lock = threading.Lock()
        self.get(default)  # a bad default pack stops the server at start, not at the first check

    def get(self, name: str | None) -> tuple[str, Pack]:
        name = name or self.default
        pack = self._packs.get(name)
        if pack is not None:
            return name, pack
        if name not in self.allowed:
            raise invalid(
                "pack", f"unknown pack {name!r}; this server offers {', '.join(sorted(self.allowed))}"
            )
        with self._lock:
            try:
                pack = load_pack(name)
            except PackError as e:
                raise invalid("pack", str(e)) from None
            self._packs[name] = pack
        return name, pack
