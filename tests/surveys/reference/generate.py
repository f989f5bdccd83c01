"""Write the two rounds of the reference design (round_a.csv, round_b.csv): fixed seed, synthetic.

    python tests/surveys/reference/generate.py && Rscript tests/surveys/reference/reference.R

Respondents are drawn unevenly over age, sex and district (so raking matters), and their
answers depend on age and district (so the raking adjustment changes the standard
errors). Round b has true changes: more satisfied (q1), a higher grade (q2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
AGES, SEXES, AREAS = ["18-34", "35-64", "65+"], ["man", "vrouw"], ["Centrum", "Noord", "Zuid"]


def round_csv(n: int, seed: int, lift: float) -> str:
    rng = np.random.default_rng(seed)
    rows = ["respondent_id,leeftijd,geslacht,wijk,q1,q2,q3_1,q3_2,q3_3,q4,q5"]
    for i in range(n):
        age = rng.choice(3, p=[0.15, 0.5, 0.35])
        sex = rng.choice(2, p=[0.42, 0.58])
        area = rng.choice(3, p=[0.5, 0.38, 0.12])
        mood = 0.4 * age - 0.5 * (area == 2) + lift + rng.normal(0, 1)
        q1 = "9" if rng.random() < 0.06 else str(int(np.clip(np.round(3 + mood), 1, 5)))
        q2 = "" if rng.random() < 0.05 else str(int(np.clip(np.round(6.5 + 1.2 * mood), 1, 10)))
        q3 = [str(int(rng.random() < p)) for p in (0.3 + 0.2 * (age == 2), 0.6, 0.15 + 0.1 * (area == 0))]
        if rng.random() < 0.05:
            q3 = ["", "", ""]
        q4 = "" if rng.random() < 0.1 else f"{rng.gamma(2.0, 3.0 + 2.0 * (area == 2)):.1f}"
        q5 = str(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])) if q1 in ("4", "5") else ""
        rows.append(",".join([f"r{i}", AGES[age], SEXES[sex], AREAS[area], q1, q2, *q3, q4, q5]))
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    (HERE / "round_a.csv").write_text(round_csv(260, 2025, 0.0), encoding="utf-8")
    (HERE / "round_b.csv").write_text(round_csv(280, 2026, 0.35), encoding="utf-8")
