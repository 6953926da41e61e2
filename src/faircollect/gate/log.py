"""What the gate needs from the transparency log: append a leaf inside its transaction, get a receipt."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.engine import Connection


class Log(Protocol):
    def append(self, conn: Connection, record: dict[str, Any], *, receipt: bool = False) -> Any:
        """Append a leaf; with `receipt`, also prepare the receipt `receipt_for` returns for it."""
        ...

    def receipt(self, conn: Connection, index: int) -> dict[str, Any]: ...

    def receipt_for(self, conn: Connection, ref: Any) -> dict[str, Any]:
        """The receipt of what `append` returned."""
        ...


def leaf_index(ref: Any) -> int:
    """The leaf number of what `Log.append` returned (a LeafRef, or the bare index)."""
    index = ref if isinstance(ref, int) else ref.index
    assert isinstance(index, int)
    return index
