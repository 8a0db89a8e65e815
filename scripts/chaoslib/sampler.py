"""Samples a running daemon every few seconds on a thread of its own: resident memory, pending
deliveries (counted in the store, read-only: the truth, not a gauge), and its metrics."""
import sqlite3, threading, time

from . import harness


class Sampler:
    def __init__(self, pid, state_path=None, metrics_port=None, every=2.0):
        self.pid, self.state_path, self.metrics_port, self.every = pid, state_path, metrics_port, every
        self.samples = []  # dicts: at, rss_kib, pending, metrics
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _pending(self):
        if not self.state_path:
            return None
        try:
            db = sqlite3.connect(f"file:{self.state_path}?mode=ro", uri=True, timeout=5)
            try:
                return db.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'").fetchone()[0]
            finally:
                db.close()
        except sqlite3.Error:
            return None

    def _loop(self):
        while not self._stop.is_set():
            sample = {"at": time.time(), "rss_kib": harness.rss_kib(self.pid), "pending": self._pending(),
                      "metrics": harness.metrics(self.metrics_port) if self.metrics_port else {}}
            self.samples.append(sample)
            self._stop.wait(self.every)

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=30)

    def latest(self):
        return self.samples[-1] if self.samples else {}

    def between(self, start, end):
        return [s for s in self.samples if start <= s["at"] <= end]

    def rss_mib(self, samples=None):
        values = [s["rss_kib"] for s in (self.samples if samples is None else samples) if s["rss_kib"]]
        return [round(v / 1024, 1) for v in values]

    def metric_at(self, when, name, **labels):
        """A metric's value in the last sample taken at or before `when` that has metrics."""
        best = None
        for s in self.samples:
            if s["at"] <= when and s["metrics"]:
                best = s
        return harness.metric_sum(best["metrics"], name, **labels) if best else None
