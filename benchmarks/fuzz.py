"""A bounded fuzzing campaign through the whole CLI (in process): cases tried, tracebacks, hangs, files touched.

Run: .venv/bin/python benchmarks/fuzz.py [CASES] [SEED]   (default 1,200 cases, seed 0; a few minutes)
Target: 0 tracebacks, 0 hangs, 0 files touched outside each case's temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fuzzing import campaign


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    result = campaign(cases, seed)
    print(f"cases tried        {result.tried}")
    print(f"tracebacks         {len(result.tracebacks)}")
    print(f"hangs              {len(result.hangs)}")
    print(f"other violations   {len(result.other)}  (exit codes outside 0/1/2, invalid JSON)")
    print(f"files touched      {len(result.touched)}  (in the project, outside the cases' temporary folders)")
    print(f"time               {result.seconds:.0f} s ({result.seconds / max(result.tried, 1) * 1000:.0f} ms a case)")
    for outcome in [*result.tracebacks, *result.hangs, *result.other][:20]:
        print(f"  {outcome.problem[:160]}  <- {outcome.case.args[:4]}")
    for path in result.touched[:20]:
        print(f"  touched {path}")
    failed = result.tracebacks or result.hangs or result.other or result.touched
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
