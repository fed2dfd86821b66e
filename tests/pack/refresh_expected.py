"""Refresh tests/pack/expected/ from a fresh build of the default pack, after reviewing the change.

.venv/bin/python tests/pack/refresh_expected.py
"""

import shutil
import sys
import tempfile
from pathlib import Path

from analysis.pack.build import build_pack

EXPECTED = Path(__file__).parent / "expected"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        result = build_pack("dorset", "latest", "base", notebooks=["mtfp"], output_root=Path(tmp))
        if not result.ok:
            sys.exit(result.message)
        for old in EXPECTED.glob("mtfp_*.csv"):
            old.unlink()
        for table in sorted((result.directory / "tables").glob("mtfp_*.csv")):
            shutil.copy(table, EXPECTED / table.name)
            print(f"refreshed {EXPECTED / table.name}")
