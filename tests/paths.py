"""Where tests find the spec's sample packages and indicator catalog.

The contract lives in ../shared/spec beside the project; a clone without it (a
developer's laptop) uses the copy committed under tests/, taken from the same files.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SHARED = ROOT.parent / "shared" / "spec"
SPEC = _SHARED if (_SHARED / "sample-package.zip").exists() else ROOT / "tests/monitoring/intake/package/corpus/spec"
