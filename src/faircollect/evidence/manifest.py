"""manifest.json: the SHA-256 of every input and output, the tool version and the pack hash.

Anyone holding the manifest can show that the report and the original export were not altered since
generation: recompute the hashes and compare (`verify`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from faircollect import __version__
from faircollect.evidence.analyze import sha256_file
from faircollect.model import PackRef

NAME = "manifest.json"


def entry(path: Path, name: str | None = None) -> dict[str, Any]:
    return {"path": name or str(path), "sha256": sha256_file(path), "bytes": path.stat().st_size}


def build(
    inputs: Sequence[Path], outputs: Sequence[Path], out_dir: Path, pack: PackRef, generated: datetime
) -> dict[str, Any]:
    return {
        "tool": {"name": "faircollect", "version": __version__},
        "generated_at": generated.isoformat(timespec="seconds"),
        "pack": pack.to_dict(),
        "inputs": [entry(p) for p in inputs],
        "outputs": [entry(p, p.relative_to(out_dir).as_posix()) for p in outputs],
    }


def write(
    inputs: Sequence[Path], outputs: Sequence[Path], out_dir: Path, pack: PackRef, generated: datetime
) -> Path:
    target = out_dir / NAME
    data = build(inputs, outputs, out_dir, pack, generated)
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


def verify(out_dir: Path) -> list[str]:
    """The files whose hash no longer matches the manifest (empty: nothing was altered)."""
    data = json.loads((out_dir / NAME).read_text(encoding="utf-8"))
    bad = []
    for item in data["outputs"]:
        path = out_dir / item["path"]
        if not path.exists() or sha256_file(path) != item["sha256"]:
            bad.append(item["path"])
    for item in data["inputs"]:
        path = Path(item["path"])
        if not path.exists() or sha256_file(path) != item["sha256"]:
            bad.append(item["path"])
    return bad
