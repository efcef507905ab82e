"""Suppression and CP-SAT audit time on a demo-sized needs cube (pure, no database).

12 months x 6 RW x 7 categories x 4 nested milestones (raised, matched, delivered,
closed), with needs in the last three months as in the demo (random households, seeded).
Prints:
  suppression_protect_seconds: primary, line rule, audit and complementary rounds
  suppression_audit_seconds: one full audit of the protected tables
  suppression_sensitive: sensitive figures (cells and milestone differences of 1-4 people)
  suppression_cells_suppressed: cells published as "x" (of suppression_cells_published)
  suppression_rounds: complementary-suppression rounds until the audit passed
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gotong.dashboard.suppression import Family, audit  # noqa: E402

# BENCH_NEEDS=150 makes a quick run.
NEEDS = int(os.environ.get("BENCH_NEEDS", "600"))


def main() -> None:
    rng = random.Random(7)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    rws = [str(n) for n in range(1, 7)]
    categories = ["pangan", "kesehatan", "tenaga", "barang", "dana", "pendidikan", "lainnya"]
    family = Family(
        dims=["month", "rw", "category"],
        values=[months, rws, categories],
        milestones=["raised", "matched", "delivered", "closed"],
    )
    for _n in range(NEEDS):
        key = (
            rng.choice(months[-3:]),
            rng.choice(rws[:4]),
            rng.choices(categories, weights=[5, 3, 2, 1, 0.3, 1, 0.2])[0],
        )
        family.add(key, f"h{rng.randrange(400)}", reached=rng.choices(range(4), [2, 1, 2, 5])[0])
    started = time.perf_counter()
    report = family.protect()
    protect_seconds = time.perf_counter() - started
    started = time.perf_counter()
    check = audit(family)
    audit_seconds = time.perf_counter() - started
    assert report.passed and check.passed
    print(f"suppression_protect_seconds: {protect_seconds:.2f}")
    print(f"suppression_audit_seconds: {audit_seconds:.2f}")
    print(f"suppression_sensitive: {report.sensitive}")
    print(f"suppression_cells_suppressed: {len(family.hidden)}")
    print(f"suppression_cells_published: {family.size * len(list(family.keys()))}")
    print(f"suppression_rounds: {family.rounds}")


if __name__ == "__main__":
    main()
