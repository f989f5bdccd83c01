"""Disclosure control: which groups of a breakdown may not be shown.

One rule for results, response-by-group tables and the panel composition
(ONS "10 threshold rule"): a group with fewer than ``min_n`` people is hidden;
when exactly one group with people in it is hidden, the next smallest group is
hidden too, so the first cannot be derived from the total and the others.
Hiding an empty group reveals nothing, so it needs no second one. On a tie the
first group (in population order) is taken.
"""

from __future__ import annotations


def hidden(counts: list[int], min_n: int, present: list[bool] | None = None) -> list[bool]:
    """For each group (unweighted counts), whether it must be hidden.

    ``present[i]`` says whether group i has people in it (default: count > 0).
    """
    present = [c > 0 for c in counts] if present is None else present
    out = [c < min_n for c in counts]
    shown = [i for i, h in enumerate(out) if not h]
    # An empty hidden group does not protect a small one: "5 and 0 hidden" still
    # gives the 5 away as the total minus the shown groups.
    if sum(h and p for h, p in zip(out, present)) == 1 and shown:
        out[min(shown, key=lambda i: counts[i])] = True
    return out
