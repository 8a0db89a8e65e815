"""disk-full: the state file lives on a small tmpfs that a filler file fills while jobs change; after
half of `--minutes` the filler is deleted. Holds when the daemon runs throughout (recovery without a
restart), the store refused writes and the log said so once per outage and stream (the pipeline's
and the dispatcher's), then reminded, then said it recovered; `PRAGMA integrity_check` is ok after;
no change is lost and no webhook-id arrives twice (nothing re-sent because its outcome could not be
recorded). Needs root (mount)."""
import math, os, random, subprocess, threading, time

from . import harness, timelines
from .figures import Report, save_arrivals, integrity, repeats
from .receiver import Receiver
from .sampler import Sampler


def add_arguments(ap):
    ap.add_argument("--minutes", type=float, default=10, help="length of the run; the disk is full for half of it (default 10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--changes", type=int, help="phase changes to make (default 400 per minute)")
    ap.add_argument("--subs", type=int, default=9)
    ap.add_argument("--tmpfs-mib", type=int, default=32, help="size of the tmpfs holding the state file (default 32)")


def fill(directory):
    """Writes filler until the file system refuses even one byte; returns its path and size."""
    path = os.path.join(directory, "filler")
    written = 0
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            data = b"\0" * chunk
            while True:
                try:
                    written += f.write(data)
                except OSError:
                    break
    return path, written


class LogWatch:
    """Notes when lines about the store first appear in the daemon's log (polled every 0.2 s)."""
    PHRASES = {"refused": "the state store refused a write", "reminder": "the state store still refuses writes",
               "recovered": "the state store accepts writes again", "queue": "cannot read the delivery queue"}

    def __init__(self, path):
        self.path, self.first_seen, self._stop = path, {}, threading.Event()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while not self._stop.wait(0.2):
            text = open(self.path).read() if os.path.exists(self.path) else ""
            for key, phrase in self.PHRASES.items():
                if phrase in text and key not in self.first_seen:
                    self.first_seen[key] = time.time()

    def stop(self):
        self._stop.set()


def outages(store_lines):
    """Per component (pipeline, dispatcher): how many outages the log announced, and whether each
    was announced once: a first line ("refused a write") only at the start or after that
    component's "accepts writes again". A write that fits in space SQLite already holds ends an
    outage honestly, so a full disk may show more than one per component."""
    said, once = {}, True
    for line in store_lines:
        component = line.split("component=", 1)[1].split()[0] if "component=" in line else "?"
        if LogWatch.PHRASES["refused"] in line:
            once = once and said.get(component, "recovered") == "recovered"
            said[component] = "refused"
            said[component + "_outages"] = said.get(component + "_outages", 0) + 1
        elif LogWatch.PHRASES["recovered"] in line:
            said[component] = "recovered"
    return {k[:-len("_outages")]: v for k, v in said.items() if k.endswith("_outages")}, once


def run(args, command):
    if os.geteuid() != 0:
        raise SystemExit("disk-full mounts a tmpfs: run it as root")
    rng = random.Random(args.seed)
    step, warmup = 5.0, 20.0  # each phase visible for 5 polls, even on a loaded machine
    duration = args.minutes * 60
    fill_at, free_at = warmup, warmup + duration / 2
    changes_wanted = args.changes or int(400 * args.minutes)
    count = math.ceil(changes_wanted / timelines.changes_per_job(args.subs))
    run_ = harness.Harness("disk-full")
    disk = run_.path("disk")
    os.makedirs(disk)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.tmpfs_mib}m,mode=0700", "tmpfs", disk], check=True)
    receiver = Receiver(latency=(0, 0.2), seed=args.seed)
    report = Report("disk-full", command)
    sampler = watch = None
    try:
        jobs, expected, when = [], set(), {}
        # Changes before, during and after the full disk.
        for j in range(count):
            start = round(rng.uniform(5, max(10, duration - 3 * step - 10)), 2)
            script, changes = timelines.job(f"df-{j:04d}", start, args.subs, step)
            jobs.append(script)
            expected |= changes
            when.update({c: timelines.scheduled_at(*c, start, step) for c in changes})
        timelines.write_scenario(run_.path("scenario.json"), jobs)
        endpoint = run_.simulator(run_.path("scenario.json"))
        t0 = time.time()
        state, config, port = os.path.join(disk, "state.sqlite"), run_.path("rules.yaml"), harness.free_port()
        harness.write_config(config, endpoint=endpoint, state=state, jobs=[j["id"] for j in jobs], metrics_port=port,
                             receivers={"sink": harness.generic_receiver(
                                 receiver.url + "/hook", "{max_attempts: 100, initial_backoff: 200ms, max_backoff: 2s, max_age: 2h}")})
        print(f"disk-full: {count} jobs ({len(expected)} phase changes), state on a {args.tmpfs_mib} MiB tmpfs, full from "
              f"{fill_at:.0f} s to {free_at:.0f} s; work dir {run_.work}", flush=True)
        daemon = run_.daemon(config, log_level="notice")
        watch = LogWatch(run_.log_path)
        sampler = Sampler(daemon.pid, None, port, every=5.0)
        time.sleep(max(0, t0 + fill_at - time.time()))
        filler, size = fill(disk)
        filled_at = time.time()
        print(f"  disk full ({size} bytes of filler); {receiver.count()} delivered so far", flush=True)
        while time.time() < t0 + free_at:
            time.sleep(5)
            print(f"  {time.time() - t0:.0f} s: {receiver.count()} delivered; store lines so far {sorted(watch.first_seen)}", flush=True)
        os.remove(filler)
        freed_at = time.time()
        print("  space is back", flush=True)
        all_in_at, finish_by = None, max(t0 + duration, freed_at) + 300
        while time.time() < finish_by:
            time.sleep(0.5)
            if time.time() > t0 + duration and {(a.uid, a.to) for a in list(receiver.arrivals)} >= expected:
                all_in_at = time.time()
                break
        time.sleep(3)  # anything sent twice after the last expected arrival still arrives
        daemon_exit = daemon.poll()
        final = harness.metrics(port)
        sampler.stop()
        watch.stop()
        harness.stop(daemon)
        check = integrity(state)
    finally:
        if sampler:
            sampler.stop()
        if watch:
            watch.stop()
        run_.close()
        receiver.close()
        subprocess.run(["umount", disk], check=False)

    arrivals = receiver.arrivals
    save_arrivals(run_.path("arrivals.jsonl"), arrivals)
    lost = expected - {(a.uid, a.to) for a in arrivals}
    repeated, split = repeats(arrivals)
    with open(run_.log_path) as f:
        store_lines = [line.rstrip() for line in f if "state store" in line or "delivery queue" in line]
    said = {key: sum(phrase in line for line in store_lines) for key, phrase in LogWatch.PHRASES.items()}
    announced, once = outages(store_lines)
    errors = harness.metric_sum(final, "jobhook_store_write_errors_total")
    seen = watch.first_seen
    # Catching up: the changes made before space returned (held back by the full disk) all arrived by then.
    first_arrival = {}
    for a in arrivals:
        first_arrival.setdefault((a.uid, a.to), a.at)
    held = [first_arrival.get(c) for c, at in when.items() if at < free_at]
    caught_up = round(max(held) - freed_at, 1) if held and None not in held else None
    rss = sampler.rss_mib()
    report.set(phase_changes=len(expected), received=len(arrivals), lost=len(lost),
               repeated=sum(len(c) - 1 for c in repeated.values()), changes_under_two_ids=len(split),
               store_write_errors=errors, log_lines=said, outages=announced, integrity_check=check,
               refused_after_fill_s=round(seen["refused"] - filled_at, 1) if "refused" in seen else None,
               recovered_after_free_s=round(seen["recovered"] - freed_at, 1) if "recovered" in seen else None,
               caught_up_after_free_s=caught_up, changes_before_free=len(held),
               full_s=round(freed_at - filled_at), rss_mib_first_peak_last=[rss[0] if rss else None, max(rss, default=None),
                                                                             rss[-1] if rss else None],
               elapsed_s=round(time.time() - t0))
    report.check("the daemon ran throughout (recovery without a restart)", daemon_exit is None, f"exit status {daemon_exit}")
    report.check("the full disk was met: the store refused writes", said["refused"] >= 1 and errors >= 1,
                 f"log {said}, write errors {errors}")
    report.check("each outage said once per stream (pipeline, dispatcher), then reminders", once,
                 f"first lines {said['refused']}, outages {announced}")
    report.check("the log said the store recovered", said["recovered"] >= 1)
    report.check("PRAGMA integrity_check = ok", check == "ok", check)
    report.check("lost = 0", not lost, f"{len(lost)} lost, first {sorted(lost)[:5]}")
    report.check("nothing arrived twice", not repeated, f"{list(repeated)[:5]}")
    f = report.figures
    report.finish([
        f"disk full for {f['full_s']} s: write errors {errors:.0f}; log lines {said}",
        f"phase changes: {len(expected)}   received: {len(arrivals)}   lost: {len(lost)}   repeated: {f['repeated']}   "
        f"integrity: {check}",
        f"first refusal {f['refused_after_fill_s']} s after the fill; recovered {f['recovered_after_free_s']} s after space "
        f"returned; the {len(held)} changes made before then all delivered {caught_up} s after",
    ] + [f"  log: {line[:200]}" for line in store_lines[:8]])
