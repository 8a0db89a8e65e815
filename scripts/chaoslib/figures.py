"""What a run measured, and its verdict: one JSON line (for machines and the README) after a human
summary, and the exit status (1 when a property failed)."""
import json, sqlite3, sys
from collections import defaultdict


def inversions(sequence):
    """Pairs out of order in `sequence` (merge sort, O(n log n): a receiver may get 100,000)."""
    def sort(items):
        if len(items) < 2:
            return items, 0
        mid = len(items) // 2
        left, a = sort(items[:mid])
        right, b = sort(items[mid:])
        merged, count, i, j = [], a + b, 0, 0
        while i < len(left) and j < len(right):
            if left[i] <= right[j]:
                merged.append(left[i]); i += 1
            else:
                merged.append(right[j]); j += 1
                count += len(left) - i
        merged += left[i:] + right[j:]
        return merged, count
    return sort(list(sequence))[1]


def delivery_rows(state_path):
    """(id, receiver, job_id, created_at, state) of every delivery in the store, read after the daemon stopped."""
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
    try:
        return db.execute("SELECT id, receiver, job_id, created_at, state FROM deliveries").fetchall()
    finally:
        db.close()


def order_per_receiver(rows, arrivals_by_receiver):
    """For each receiver: inversions between creation order and first-arrival order, summed over
    jobs, with the worst job's count and the number of jobs with any. Deliveries recorded in one
    transaction share their creation time and have no order among themselves: only pairs created at
    different times count."""
    created = {r[0]: r[3] for r in rows}
    job_of = {r[0]: r[2] for r in rows}
    result = {}
    for receiver, arrivals in arrivals_by_receiver.items():
        first = {}
        for a in arrivals:
            first.setdefault(a.webhook_id, a.seq)
        per_job = defaultdict(list)
        for webhook_id, seq in first.items():
            if webhook_id in created:
                per_job[job_of[webhook_id]].append((seq, created[webhook_id]))
        counts = {}
        for jid, items in per_job.items():
            items.sort()  # arrival order; inversions of creation time in it
            counts[jid] = inversions([c for _, c in items])
        result[receiver] = {"inversions": sum(counts.values()),
                            "jobs_out_of_order": sum(1 for c in counts.values() if c),
                            "worst_job": max(counts.values(), default=0), "jobs": len(counts)}
    return result


def integrity(state_path):
    db = sqlite3.connect(f"file:{state_path}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def repeats(arrivals):
    """Copies beyond the first of each webhook-id, and the webhook-ids that carried one change under
    two ids (which would break de-duplication)."""
    ids = defaultdict(list)
    by_change = defaultdict(set)
    for a in arrivals:
        ids[a.webhook_id].append(a)
        by_change[(a.path, a.uid, a.to)].add(a.webhook_id)
    repeated = {k: v for k, v in ids.items() if len(v) > 1}
    split = [c for c, s in by_change.items() if len(s) > 1]
    return repeated, split


def save_arrivals(path, arrivals):
    """Every request the receiver got, one JSON object a line, for a second look after the run."""
    with open(path, "w") as f:
        for a in arrivals:
            f.write(json.dumps({k: getattr(a, k) for k in a.__slots__}) + "\n")


class Report:
    """Collects figures and property checks; `finish()` prints and exits."""

    def __init__(self, run, command):
        self.figures = {"run": run, "command": command}
        self.checks = []

    def set(self, **figures):
        self.figures.update(figures)

    def check(self, name, held, evidence=""):
        self.checks.append((name, bool(held), evidence))
        return held

    def finish(self, summary_lines):
        for line in summary_lines:
            print(line)
        for name, held, evidence in self.checks:
            print(f"  {'ok  ' if held else 'FAIL'} {name}" + (f"   ({evidence})" if evidence and not held else ""))
        failed = [n for n, held, _ in self.checks if not held]
        self.figures["failed"] = failed
        print(json.dumps(self.figures, sort_keys=True))
        sys.exit(1 if failed else 0)
