"""The example ledger of examples/build_example.sh, built once per test run (it takes ~25 s).

Tests copy it (:func:`copy_example`) before using it, so none of them sees another's changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-20"  # the Friday the example is built up to
_built: Path | None = None


def example_ledger() -> Path:
    global _built
    if _built is None:
        target = Path(tempfile.mkdtemp(prefix="duban-example-")) / "示例台账.db"
        env = {**os.environ, "DUBAN": str(Path(sys.executable).parent / "duban")}
        env.pop("DUBAN_DB", None)
        subprocess.run(["bash", str(ROOT / "examples" / "build_example.sh"), str(target)], env=env, check=True,
                       cwd=ROOT, capture_output=True, timeout=600)
        _built = target
    return _built


def copy_example(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(example_ledger(), dest)
    return dest
