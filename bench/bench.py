"""The jobhook benchmark (issue 8): poll cost against the SDK loop and the libcurl floor, change-to-
delivery latency, delivery throughput, scaling. Run through `bench/run`, which builds and installs
what this needs; this file uses only the standard library.

Every number about jobhook is its own process's kernel accounting (utime + stime in /proc/PID/stat,
VmHWM in /proc/PID/status) over a window, divided by the requests the simulator counted in that
window; the simulator and the receiver are separate processes whose CPU is reported beside it."""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procs  # noqa: E402
import report  # noqa: E402
import workload  # noqa: E402
import intake  # noqa: E402
import postgres  # noqa: E402
from procs import BenchError, Child, Client  # noqa: E402


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.work = tempfile.mkdtemp(prefix="jobhook-bench-")
        self.results = {"quick": self.quick, "poll": [], "notes": []}
        self.children = []
        self.run_no = 0

    def log(self, text):
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    def start(self, name, argv, **kw):
        child = Child(name, argv, self.work, **kw)
        self.children.append(child)
        return child

    def cleanup(self):
        for child in self.children:
            child.stop(timeout=10)
        if not self.args.keep:
            shutil.rmtree(self.work, ignore_errors=True)

    # MARK: Processes

    def simulator(self, count, make=workload.scenario):
        """A simulator serving `count` jobs (`make(run, count)`: the scenario's text; default Running
        CreateCluster jobs); returns (child, port, run, job ids)."""
        self.run_no += 1
        run = self.run_no
        path = os.path.join(self.work, f"scenario-{run}.yaml")
        with open(path, "w") as f:
            f.write(make(run, count))
        sim = self.start(f"simulator-{run}", [self.args.jobhook, "simulate", "--scenario", path,
                                              "--listen", "127.0.0.1:0"])
        line = sim.wait_for("listening on http://", timeout=120)
        port = int(line.split("http://127.0.0.1:")[1].split()[0].rstrip("/"))
        return sim, port, run, [workload.job_id(run, i) for i in range(count)]

    def receiver(self):
        child = self.start(f"receiver-{self.run_no}", [sys.executable, os.path.join(self.args.bench_dir, "receiver.py")])
        port = int(child.wait_for("listening", timeout=20).split()[1])
        return child, port

    def daemon(self, name, sim_port, jobs, interval, max_rps, receivers, rules, concurrency=8, discover=None, extra=None,
               postgres=None):
        state = os.path.join(self.work, f"{name}.sqlite")
        api_port = procs.free_port()
        path = os.path.join(self.work, f"{name}.yaml")
        with open(path, "w") as f:
            f.write(workload.config(endpoint=f"http://127.0.0.1:{sim_port}", jobs=jobs, interval=interval,
                                    max_rps=max_rps, concurrency=concurrency, state=state,
                                    listen=f"127.0.0.1:{api_port}", receivers=receivers, rules=rules,
                                    discover=discover, extra=extra, postgres=postgres))
        started = time.monotonic()
        child = self.start(name, [self.args.jobhook, "run", "-c", path, "--log-level", "error"])
        api = Client(api_port)
        procs.wait_until(lambda: self.ready(api, child), timeout=300, what=f"{name} to answer /readyz")
        return child, api, state, time.monotonic() - started

    @staticmethod
    def ready(api, child):
        if not child.alive():
            raise BenchError(f"{child.name} exited:\n{child.tail()}")
        try:
            api.get("/readyz")
            return True
        except (OSError, BenchError, ValueError):
            api.close()
            return False

    # MARK: 1, 2, 5: poll cost, peers, scaling

    def poll_cost(self, count):
        """jobhook, then the SDK loop, then the floor, one after the other on one simulator."""
        rate = 1000 if not self.quick else 200
        interval_s = count / rate
        window = 12.0 if not self.quick else 3.0
        sim, port, run, jobs = self.simulator(count)
        sim_api = Client(port)
        self.log(f"poll cost: N={count}, interval {interval_s:g}s (~{rate} polls/s), window {window:g}s")
        row = {"n": count, "interval_s": interval_s, "target_rate": rate}

        receiver = workload.receiver("never", "http://127.0.0.1:9/never", {"job": "{{job.id}}"})
        never = workload.rule("never-fires", {"phase": "Failed", "level": "job"}, ["never"])
        daemon, api, state, startup = self.daemon(
            f"poll-{count}", port, jobs, f"{int(interval_s * 1000)}ms", max_rps=2 * rate,
            receivers=[receiver], rules=[never])
        row["startup_s"] = startup
        # Steady state: every job answered twice, so the first observations ("" -> Running) are recorded.
        procs.wait_until(lambda: min(sim_api.get("/sim/stats")["jobs"].values() or [0]) >= 2
                         and len(sim_api.get("/sim/stats")["jobs"]) == count,
                         timeout=120 + 4 * interval_s, interval=0.5, what="every job polled twice")
        time.sleep(min(2.0, interval_s))
        measured = self.window(daemon, sim, sim_api, window)
        row.update(jobhook=measured, rss_kb=procs.memory_kb(daemon.pid), rss_now_kb=procs.memory_kb(daemon.pid, "VmRSS"),
                   rss_anon_kb=procs.memory_kb(daemon.pid, "RssAnon"), rss_file_kb=procs.memory_kb(daemon.pid, "RssFile"))
        if self.args.profile and count == self.args.profile_n:
            row["profile"] = self.profile(daemon)
        if daemon.stop() not in (0, None):
            self.results["notes"].append(f"jobhook at N={count} did not exit 0:\n{daemon.tail()}")
        self.log(f"  jobhook {measured['cpu_us_per_poll']:.0f} us/poll, {measured['switches_per_poll']:.1f} context switches/poll over {measured['polls']} polls, "
                 f"VmHWM {row['rss_kb'] / 1024:.1f} MB, start-up {startup:.1f}s")

        ids = "\n".join(jobs) + "\n"
        if self.args.sdk_python:
            sdk = self.start(f"sdk-{count}", [self.args.sdk_python, os.path.join(self.args.bench_dir, "sdk_loop.py"),
                                              f"http://127.0.0.1:{port}", "0a1b2c3d4e5f", str(interval_s)], stdin_text=ids)
            time.sleep(3.0 if not self.quick else 2.0)  # imports and the first requests
            row["sdk"] = self.window(sdk, sim, sim_api, window)
            sdk.stop()
            self.log(f"  SDK loop {row['sdk']['cpu_us_per_poll']:.0f} us/poll over {row['sdk']['polls']} polls")
        floor = self.start(f"floor-{count}", [self.args.floor, f"http://127.0.0.1:{port}", "0a1b2c3d4e5f",
                                              str(interval_s * 1000), "-"], stdin_text=ids)
        time.sleep(1.0)
        row["floor"] = self.window(floor, sim, sim_api, window)
        floor.stop()
        self.log(f"  floor {row['floor']['cpu_us_per_poll']:.0f} us/poll, {row['floor']['switches_per_poll']:.1f} context switches/poll over {row['floor']['polls']} polls")
        sim.stop()
        self.results["poll"].append(row)

    def window(self, child, sim, sim_api, seconds):
        """CPU of `child` and of the simulator over `seconds`, per request the simulator served."""
        if not child.alive():
            raise BenchError(f"{child.name} exited:\n{child.tail()}")
        switches0 = procs.context_switches(child.pid)
        polls0, cpu0, sim0, t0 = sim_api.get("/sim/stats")["total"], procs.cpu_seconds(child.pid), procs.cpu_seconds(sim.pid), time.monotonic()
        time.sleep(seconds)
        polls1, cpu1, sim1, t1 = sim_api.get("/sim/stats")["total"], procs.cpu_seconds(child.pid), procs.cpu_seconds(sim.pid), time.monotonic()
        switches1 = procs.context_switches(child.pid)
        polls = max(1, polls1 - polls0 - 1)  # the /sim/stats call itself is counted
        return {"polls": polls, "seconds": t1 - t0, "polls_per_s": polls / (t1 - t0),
                "cpu_s": cpu1 - cpu0, "cpu_us_per_poll": (cpu1 - cpu0) / polls * 1e6,
                "sim_cpu_us_per_poll": (sim1 - sim0) / polls * 1e6, "sim_cores": (sim1 - sim0) / (t1 - t0),
                "cores": (cpu1 - cpu0) / (t1 - t0), "switches_per_poll": (switches1 - switches0) / polls}

    def profile(self, daemon):
        """perf's sampled profile of the running daemon (user and kernel time by symbol)."""
        perf = shutil.which("perf")
        if not perf:
            return {"skipped": "perf not installed"}
        out = os.path.join(self.work, "perf.data")
        child = self.start("perf", [perf, "record", "-B", "-N", "-e", "cpu-clock", "-F", "997", "-g", "-o", out,
                                    "-p", str(daemon.pid), "--", "sleep", "8" if not self.quick else "2"])
        child.proc.wait(60)
        return report.perf_summary(perf, out, self.work)

    # MARK: 3: latency

    def latency(self):
        count = 1000 if not self.quick else 20
        interval = 1.0 if not self.quick else 0.5
        per_second = 50 if not self.quick else 10
        sim, port, run, jobs = self.simulator(count)
        sim_api = Client(port)
        recv, recv_port = self.receiver()
        recv_api = Client(recv_port)
        self.log(f"latency: {count} changes at {per_second}/s, poll interval {interval:g}s")
        body = {"job": "{{job.id}}", "changed": "{{job.updated_at}}", "detected": "{{event.detected_at}}"}
        daemon, api, state, _ = self.daemon(
            "latency", port, jobs, f"{int(interval * 1000)}ms", max_rps=4000,
            receivers=[workload.receiver("latency", f"http://127.0.0.1:{recv_port}/latency", body)],
            rules=[workload.rule("succeeded", {"phase": "Success", "from": "Running", "level": "job"}, ["latency"])])
        procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == count
                         and min(sim_api.get("/sim/stats")["jobs"].values()) >= 2,
                         timeout=120, interval=0.5, what="every job polled twice")
        posted = {}
        start = time.monotonic()
        cpu0 = procs.cpu_seconds(daemon.pid)
        for i, job in enumerate(jobs):
            wait = start + i / per_second - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            before = time.time()
            sim_api.post(f"/sim/jobs/{job}/phase", {"phase": "Success", "subjobs": workload.subjobs(run, i, "Success")})
            posted[job] = (before + time.time()) / 2
        procs.wait_until(lambda: recv_api.get("/stats")["count"] >= count, timeout=60 + 5 * interval,
                         what=f"{count} deliveries at the receiver")
        cpu1 = procs.cpu_seconds(daemon.pid)
        time.sleep(2 * interval)  # room for a duplicate to show up
        records = recv_api.get("/dump")
        daemon.stop()
        recv.stop()
        sim.stop()
        total, share, wait, seen = [], [], [], set()
        for arrived, _, text in records:
            doc = json.loads(text)
            seen.add(doc["job"])
            changed = report.parse_rfc3339(doc["changed"]) or posted[doc["job"]]
            detected = report.parse_rfc3339(doc["detected"])
            total.append(arrived - changed)
            if detected:
                share.append(arrived - detected)
                wait.append(detected - changed)
        result = {"changes": count, "interval_s": interval, "rate_per_s": per_second,
                  "deliveries": len(records), "distinct_jobs": len(seen),
                  "p50_ms": procs.percentile(total, 50) * 1e3, "p99_ms": procs.percentile(total, 99) * 1e3,
                  "max_ms": max(total) * 1e3,
                  "processing_p50_ms": procs.percentile(share, 50) * 1e3,
                  "processing_p99_ms": procs.percentile(share, 99) * 1e3,
                  "processing_max_ms": max(share or [float("nan")]) * 1e3,
                  "detect_wait_p99_ms": procs.percentile(wait, 99) * 1e3,
                  "cpu_s_during": cpu1 - cpu0}
        self.results["latency"] = result
        self.log(f"  p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms; "
                 f"detection->arrival p50 {result['processing_p50_ms']:.1f} ms p99 {result['processing_p99_ms']:.1f} ms")

    # MARK: 4: throughput

    def throughput(self):
        """jobs x 4 changes (the job and 3 sub-jobs to Success) x rules x receivers deliveries at once."""
        jobs_n = 250 if not self.quick else 5
        rules_n, receivers_n = 2, 5
        expected = jobs_n * 4 * rules_n * receivers_n
        sim, port, run, jobs = self.simulator(jobs_n)
        sim_api = Client(port)
        recv, recv_port = self.receiver()
        recv_api = Client(recv_port)
        self.log(f"throughput: {jobs_n} jobs x 4 changes x {rules_n} rules x {receivers_n} receivers = {expected} deliveries")
        body = {"text": "CCE {{job.type}} {{job.id}} is {{event.to}} (was {{event.from}})",
                "cluster": "{{root.cluster_id}}", "event": "{{event.id}}", "detected": "{{event.detected_at}}"}
        receivers = [workload.receiver(f"hook-{k}", f"http://127.0.0.1:{recv_port}/hook-{k}", body) for k in range(receivers_n)]
        names = [r["name"] for r in receivers]
        rules = [workload.rule(f"succeeded-{k}", {"phase": "Success", "level": "any"}, names) for k in range(rules_n)]
        daemon, api, state, _ = self.daemon("throughput", port, jobs, "250ms", max_rps=4000,
                                            receivers=receivers, rules=rules)
        procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == jobs_n
                         and min(sim_api.get("/sim/stats")["jobs"].values()) >= 2,
                         timeout=60, interval=0.2, what="every job polled twice")
        time.sleep(0.5)
        size0, logical0 = store_bytes(state), store_logical(state)
        perf = None
        if self.args.profile and not self.quick and shutil.which("perf"):
            perf_data = os.path.join(self.work, "perf-burst.data")
            perf = self.start("perf-burst", [shutil.which("perf"), "record", "-B", "-N", "-e", "cpu-clock", "-F", "997", "-g",
                                             "-o", perf_data, "-p", str(daemon.pid)])
            time.sleep(0.5)
        cpu0 = procs.cpu_seconds(daemon.pid)
        t0 = time.time()
        for i, job in enumerate(jobs):
            sim_api.post(f"/sim/jobs/{job}/phase", {"phase": "Success", "subjobs": workload.subjobs(run, i, "Success")})
        changed_by = time.time()
        procs.wait_until(lambda: recv_api.get("/stats")["count"] >= expected, timeout=300, interval=0.1,
                         what=f"{expected} deliveries at the receiver")
        cpu1 = procs.cpu_seconds(daemon.pid)
        if perf:
            perf.stop(signal.SIGINT, timeout=60)
            self.results["burst_profile"] = report.perf_summary(shutil.which("perf"), perf_data, self.work)
        pending = api.get("/v1/deliveries?state=pending&limit=10")
        dead = api.get("/v1/deliveries?state=dead&limit=10")
        size_running, logical1 = store_bytes(state), store_logical(state)
        time.sleep(0.5)
        records = recv_api.get("/dump")
        daemon.stop()
        size_stopped = store_bytes(state)
        recv_cpu = procs.cpu_seconds(recv.pid)
        recv.stop()
        sim.stop()
        arrivals = sorted(r[0] for r in records)
        detected = sorted(report.parse_rfc3339(json.loads(r[2])["detected"]) or t0 for r in records)
        spread = arrivals[-1] - arrivals[0]
        result = {"expected": expected, "delivered": len(records), "jobs": jobs_n, "rules": rules_n,
                  "receivers": receivers_n, "changes_posted_s": changed_by - t0,
                  "detection_spread_s": detected[-1] - detected[0],
                  "drain_s": arrivals[-1] - t0, "arrival_spread_s": spread,
                  "per_s": len(records) / spread if spread > 0 else float("nan"),
                  "jobhook_cpu_s": cpu1 - cpu0, "cpu_us_per_delivery": (cpu1 - cpu0) / max(1, len(records)) * 1e6,
                  "receiver_cpu_s": recv_cpu,
                  "pending_after": len((pending or {}).get("deliveries", [])),
                  "dead_after": len((dead or {}).get("deliveries", [])),
                  "store_before": size0, "store_running": size_running, "store_stopped": size_stopped,
                  "store_logical_before": logical0[0], "store_logical_after": logical1[0],
                  "delivery_rows": logical1[1] - logical0[1],
                  "store_per_1000": (logical1[0] - logical0[0]) / (max(1, logical1[1] - logical0[1]) / 1000)}
        self.results["throughput"] = result
        self.log(f"  {result['delivered']} delivered in {result['drain_s']:.2f}s after the changes "
                 f"({result['per_s']:.0f}/s over the arrival spread); store +{result['store_per_1000'] / 1024:.0f} KiB per 1,000")

    # MARK: 6: discovery

    def discovery(self):
        """`discover:`: CCE requests per listing round under each `via`, for jobs on their own clusters
        and on a few clusters; the wait from a job appearing to its first ShowJob; memory with 10,000
        listed jobs (finished, and running) against the same jobs named in `watch.jobs`."""
        q = self.quick
        self.results["discovery"] = part = {"cost": [], "latency": [], "memory": [], "notes": [],
                                            "max_rps": DISCOVERY_MAX_RPS, "commands": self.command()}
        count = 1000 if not q else 20
        few = 10 if not q else 2
        interval, poll, rounds = (5, 15, 5) if not q else (1, 3, 2)
        vias = [("jobs", "served"), ("clusters", "served"), ("auto", "forbidden")]
        # --quick: the few-clusters layout under jobs and auto only, so the suite's run stays short.
        for clusters in ([None, few] if not q else [few]):
            for via, list_jobs in (vias if not q else [vias[0], vias[2]]):
                part["cost"].append(self.discovery_cost(count, clusters, via, list_jobs, interval, poll, rounds))
        for via, list_jobs in (vias[::2] if not q else vias[:1]):
            part["latency"].append(self.discovery_latency(via, list_jobs, background=100 if not q else 5,
                                                          additions=10 if not q else 2, interval_s=2 if not q else 1))
        big = 10000 if not q else 100
        part["memory"].append(self.discovery_memory(big, "finished", interval_s=5 if not q else 1, poll_s=30 if not q else 3))
        part["memory"].append(self.discovery_memory(big, "running", interval_s=5 if not q else 1, poll_s=30 if not q else 3))
        if not q:
            part["memory"].append(self.discovery_memory(big, "watch.jobs", interval_s=5, poll_s=30))

    def discovery_daemon(self, name, port, interval_s, poll_s, via, jobs=()):
        never = workload.rule("never-fires", {"phase": "Failed", "level": "job"}, ["never"])
        receiver = workload.receiver("never", "http://127.0.0.1:9/never", {"job": "{{job.id}}"})
        discover = {"interval": f"{interval_s}s", "via": via} if via else None
        return self.daemon(name, port, list(jobs), f"{poll_s}s", max_rps=DISCOVERY_MAX_RPS, receivers=[receiver],
                           rules=[never], discover=discover)

    @staticmethod
    def listing_round(sim_api, key, after, pause=0.05, timeout=120, seen=None):
        """Waits for the listing round after the `after`-th (a round starts with one ListJobs, or one
        ListClusters then its ListNodes) and for it to finish (no listing request for 0.3 s); returns
        (/sim/stats then, monotonic time then, how long the round's requests kept arriving, to ~0.1 s or
        `pause`).
        Between rounds the listings are quiet for an interval.
        `seen(stats, time)` is shown every /sim/stats read."""
        def read():
            stats = sim_api.get("/sim/stats")
            if seen:
                seen(stats, time.monotonic())
            return stats
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = read()
            if stats["listings"].get(key, 0) > after:
                break
            time.sleep(pause)
        else:
            raise BenchError(f"no listing round ({key}) within {timeout}s")
        started = changed = time.monotonic()
        while True:
            time.sleep(min(0.1, pause))
            again = read()
            now = time.monotonic()
            if again["listings"] != stats["listings"]:
                stats, changed = again, now
            elif now - changed >= 0.3:
                return stats, now, changed - started

    @staticmethod
    def poll_waves(count, waves, marks=(1, 3)):
        """A `seen` for `listing_round`: records in `waves` (time, ShowJob total) at the first read where
        every one of the `count` jobs had been polled m times, for each m in `marks`. Jobs discovered
        together are polled in waves (each wait 90-100 % of the interval), so ShowJob is counted over
        whole waves rather than over a window that may catch one wave more or less."""
        def seen(stats, t):
            polled = stats["jobs"]
            if len(polled) < count:
                return
            low = min(polled.values())
            for m in marks:
                if low >= m and m not in waves:
                    waves[m] = (t, stats["total"])
        return seen

    def discovery_cost(self, count, clusters, via, list_jobs, interval_s, poll_s, rounds):
        """Listing requests per round and ShowJob polls per poll interval, over `rounds` whole rounds."""
        layout = "own" if clusters is None else clusters
        sim, port, run, jobs = self.simulator(
            count, lambda run, n: workload.discovery_scenario(run, n, clusters=clusters, list_jobs=list_jobs))
        sim_api = Client(port)
        shown = f"via {via}" + (" (ListJobs 403)" if list_jobs == "forbidden" else "")
        self.log(f"discovery cost: {count:,} jobs on {'their own clusters' if clusters is None else f'{clusters} clusters'}, "
                 f"{shown}, discover interval {interval_s}s, poll interval {poll_s}s")
        daemon, api, state, _ = self.discovery_daemon(f"discover-{via}-{layout}", port, interval_s, poll_s, via)
        key = "jobs" if via == "jobs" else "clusters"
        waves = {}
        seen = self.poll_waves(count, waves)
        procs.wait_until(lambda: seen(sim_api.get("/sim/stats"), time.monotonic()) or 1 in waves, timeout=60 + 4 * interval_s,
                         interval=0.05, what=f"all {count} jobs discovered and polled")
        stats0, t0, _ = self.listing_round(sim_api, key, sim_api.get("/sim/stats")["listings"].get(key, 0), seen=seen)
        cpu0, sim_cpu0 = procs.cpu_seconds(daemon.pid), procs.cpu_seconds(sim.pid)
        stats1, durations = stats0, []
        for _ in range(rounds):
            stats1, t1, took = self.listing_round(sim_api, key, stats1["listings"].get(key, 0), seen=seen)
            durations.append(took)
        cpu1, sim_cpu1 = procs.cpu_seconds(daemon.pid), procs.cpu_seconds(sim.pid)
        procs.wait_until(lambda: seen(sim_api.get("/sim/stats"), time.monotonic()) or 3 in waves, timeout=30 + 3 * poll_s,
                         interval=0.05, what=f"all {count} jobs polled three times")
        final = sim_api.get("/sim/stats")
        watched = len(final["jobs"])
        if daemon.stop() not in (0, None):
            self.results["discovery"]["notes"].append(f"jobhook (discovery, via {via}) did not exit 0:\n{daemon.tail()}")
        sim.stop()
        seconds = t1 - t0
        lists = {k: (stats1["listings"].get(k, 0) - stats0["listings"].get(k, 0)) / rounds for k in ("jobs", "clusters", "nodes")}
        (w1, total1), (w3, total3) = waves[1], waves[3]
        polls = total3 - total1
        wave_s = w3 - w1
        row = {"jobs": count, "clusters": count if clusters is None else clusters, "via": via, "list_jobs": list_jobs,
               "interval_s": interval_s, "poll_interval_s": poll_s, "rounds": rounds, "seconds": seconds,
               "period_s": seconds / rounds, "round_s": sum(durations) / len(durations), "per_round": lists, "listing_per_round": sum(lists.values()),
               "expected_per_round": 1 if via == "jobs" else 1 + (count if clusters is None else clusters),
               "showjob": polls, "showjob_seconds": wave_s, "showjob_per_poll_interval": polls / wave_s * poll_s,
               "listing_per_min": sum(lists.values()) * rounds / seconds * 60, "showjob_per_min": polls / wave_s * 60,
               "watched": watched, "max_polls_per_job": max(final["jobs"].values()), "cores": (cpu1 - cpu0) / seconds, "sim_cores": (sim_cpu1 - sim_cpu0) / seconds}
        self.log(f"  {row['listing_per_round']:,.0f} listing requests per round (ListJobs {lists['jobs']:g}, ListClusters "
                 f"{lists['clusters']:g}, ListNodes {lists['nodes']:g}), a round every {row['period_s']:.2f}s, its requests over "
                 f"{row['round_s']:.1f}s; "
                 f"{row['showjob_per_poll_interval']:,.0f} ShowJob per {poll_s}s; {watched:,} jobs polled; jobhook {row['cores']:.2f} cores")
        return row

    def discovery_latency(self, via, list_jobs, background, additions, interval_s):
        """Jobs added one at a time at random moments: POST /sim/jobs -> the listing round that shows it
        -> its first ShowJob, watched on /sim/stats every 20 ms."""
        sim, port, run, jobs = self.simulator(
            background, lambda run, n: workload.discovery_scenario(run, n, list_jobs=list_jobs))
        sim_api = Client(port)
        self.log(f"discovery latency: {additions} jobs added at random moments, via {via}"
                 + (" (ListJobs 403)" if list_jobs == "forbidden" else "") + f", discover interval {interval_s}s, "
                 f"{background} jobs already listed")
        daemon, api, state, _ = self.discovery_daemon(f"discover-latency-{via}", port, interval_s, 15, via)
        key = "jobs" if via == "jobs" else "clusters"
        procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == background, timeout=60 + 4 * interval_s,
                         interval=0.2, what=f"the {background} listed jobs polled")
        # One round's own length (via clusters: ListClusters, then ListNodes cluster by cluster): the
        # interval is waited after a round ends, so a job can wait interval + round + first-poll spread.
        _, _, round_s = self.listing_round(sim_api, key, sim_api.get("/sim/stats")["listings"].get(key, 0), pause=0.02)
        rng = random.Random(8)
        total, to_listing, listing_to_poll = [], [], []
        for k in range(additions):
            time.sleep(rng.uniform(0, interval_s + 0.5))
            job = workload.discovery_job(run, background + k)
            rounds0 = sim_api.get("/sim/stats")["listings"].get(key, 0)
            before = time.monotonic()
            sim_api.post("/sim/jobs", job)
            posted = (before + time.monotonic()) / 2
            listed = None
            deadline = posted + 3 * interval_s + 10
            while True:
                before = time.monotonic()
                stats = sim_api.get("/sim/stats")
                now = (before + time.monotonic()) / 2
                if listed is None and stats["listings"].get(key, 0) > rounds0:
                    listed = now
                if stats["jobs"].get(job["id"], 0) > 0:
                    break
                if now > deadline:
                    raise BenchError(f"job {job['id']} added at random was not polled within {deadline - posted:.0f}s")
                time.sleep(0.02)
            total.append(now - posted)
            if listed is not None:
                to_listing.append(listed - posted)
                listing_to_poll.append(now - listed)
        daemon.stop()
        sim.stop()
        row = {"via": via, "list_jobs": list_jobs, "interval_s": interval_s, "background": background, "jobs": additions,
               "samples_ms": [t * 1e3 for t in total],
               "p50_ms": procs.percentile(total, 50) * 1e3, "p90_ms": procs.percentile(total, 90) * 1e3,
               "max_ms": max(total) * 1e3, "bound_ms": (interval_s + 0.5) * 1e3, "round_ms": round_s * 1e3,
               "bound_round_ms": (interval_s + round_s + 0.5) * 1e3,
               "to_listing_max_ms": max(to_listing or [float("nan")]) * 1e3,
               "listing_to_poll_p50_ms": procs.percentile(listing_to_poll, 50) * 1e3,
               "listing_to_poll_max_ms": max(listing_to_poll or [float("nan")]) * 1e3}
        self.log(f"  appear -> first ShowJob p50 {row['p50_ms']:,.0f} ms, p90 {row['p90_ms']:,.0f} ms, max {row['max_ms']:,.0f} ms "
                 f"(interval + first-poll spread = {row['bound_ms']:,.0f} ms); listing round -> ShowJob "
                 f"p50 {row['listing_to_poll_p50_ms']:,.0f} ms, max {row['listing_to_poll_max_ms']:,.0f} ms")
        return row

    def discovery_memory(self, count, case, interval_s, poll_s):
        """RSS with `count` jobs in the listing: `finished` (the baseline records them silently, then more
        listings), `running` (every one discovered, joining 1,000 per listing, and polled twice), or
        `watch.jobs` (the same running jobs named in the config, no discovery)."""
        phase = "Success" if case == "finished" else "Running"
        sim, port, run, jobs = self.simulator(count, lambda run, n: workload.discovery_scenario(run, n, phase=phase))
        sim_api = Client(port)
        self.log(f"discovery memory: {count:,} {case} jobs"
                 + (f", discover interval {interval_s}s" if case != "watch.jobs" else ", no discover:")
                 + (f", poll interval {poll_s}s" if case != "finished" else ""))
        if case == "finished":
            time.sleep(1.1)  # every job's last update strictly before the first listing: all in the baseline
        daemon, api, state, startup = self.discovery_daemon(
            f"discover-memory-{case.replace('.', '-')}", port, interval_s, poll_s,
            None if case == "watch.jobs" else "jobs", jobs=jobs if case == "watch.jobs" else ())
        row = {"case": case, "jobs": count, "interval_s": interval_s if case != "watch.jobs" else None,
               "poll_interval_s": poll_s, "startup_s": startup}
        if case == "finished":
            stats, _, _ = self.listing_round(sim_api, "jobs", 0, pause=0.2)  # the baseline
            extra = 4 if not self.quick else 2
            stats0, _, _ = self.listing_round(sim_api, "jobs", stats["listings"]["jobs"], pause=0.2)
            row["rss_early_kb"] = procs.memory_kb(daemon.pid, "VmRSS")  # after two listings: growth after it = retained
            cpu0 = procs.cpu_seconds(daemon.pid)
            stats1 = stats0
            for _ in range(extra):
                stats1, _, _ = self.listing_round(sim_api, "jobs", stats1["listings"]["jobs"], pause=0.2)
            cpu1 = procs.cpu_seconds(daemon.pid)
            row.update(listings=stats1["listings"]["jobs"], showjob=stats1["total"],
                       cpu_ms_per_listing=(cpu1 - cpu0) / extra * 1e3)
        else:
            procs.wait_until(lambda: (lambda st: len(st["jobs"]) == count and min(st["jobs"].values()) >= 2)(sim_api.get("/sim/stats")),
                             timeout=300 + 4 * poll_s, interval=1.0, what=f"all {count:,} jobs polled twice")
            if case == "running":
                row["rss_early_kb"] = procs.memory_kb(daemon.pid, "VmRSS")
                stats, _, _ = self.listing_round(sim_api, "jobs", sim_api.get("/sim/stats")["listings"]["jobs"], pause=0.2)
                stats, _, _ = self.listing_round(sim_api, "jobs", stats["listings"]["jobs"], pause=0.2)
            stats1 = sim_api.get("/sim/stats")
            row.update(listings=stats1["listings"].get("jobs", 0), showjob=stats1["total"], watched=len(stats1["jobs"]))
        row.update(rss_kb=procs.memory_kb(daemon.pid), rss_now_kb=procs.memory_kb(daemon.pid, "VmRSS"),
                   rss_anon_kb=procs.memory_kb(daemon.pid, "RssAnon"))
        if daemon.stop() not in (0, None):
            self.results["discovery"]["notes"].append(f"jobhook (discovery memory, {case}) did not exit 0:\n{daemon.tail()}")
        if case != "watch.jobs":
            row["listing_bytes"] = listing_bytes(port)
        sim.stop()
        if case == "finished" and row["showjob"] != 0:
            self.results["discovery"]["notes"].append(f"discovery baseline: {row['showjob']} ShowJob requests for {count:,} finished jobs (expected none)")
        self.log(f"  VmHWM {row['rss_kb'] / 1024:.1f} MB, VmRSS {row['rss_now_kb'] / 1024:.1f} MB (anonymous {row['rss_anon_kb'] / 1024:.1f} MB) "
                 f"after {row['listings']} listings and {row['showjob']:,} ShowJob"
                 + (f"; {row['cpu_ms_per_listing']:.0f} ms CPU per listing" if "cpu_ms_per_listing" in row else "")
                 + (f"; ListJobs answer {row['listing_bytes'] / 1e6:.1f} MB" if row.get("listing_bytes") else ""))
        return row

    # MARK: Run

    PARTS = ("poll", "latency", "throughput", "discovery", "intake", "postgres")

    def command(self):
        a = self.args
        return " ".join(["bench/run"] + (["--quick"] if self.quick else []) + (["--no-sdk"] if a.sdk_skip_reason == "--no-sdk" else [])
                        + (["--sizes", ",".join(map(str, a.sizes))] if a.sizes else []) + (["--only", a.only] if a.only else []))

    def run(self):
        self.results["machine"] = report.machine(self.args.jobhook)
        self.results["commands"] = self.command()
        sizes = self.args.sizes or ([20] if self.quick else [100, 1000, 10000])
        self.args.profile_n = sizes[min(1, len(sizes) - 1)]
        if not self.args.sdk_python:
            self.results["notes"].append(f"SDK loop skipped: {self.args.sdk_skip_reason or 'no SDK venv'}")
        # Discovery takes ~10 minutes at full size, as long as the rest: only when asked for, except
        # in --quick, which runs every part with tiny N so none of them rots.
        default = ["poll", "latency", "throughput"] + (["discovery", "intake", "postgres"] if self.quick else [])
        parts = self.args.only.split(",") if self.args.only else default
        unknown = [p for p in parts if p not in self.PARTS]
        if unknown:
            raise BenchError(f"--only: unknown part {', '.join(unknown)} (parts: {', '.join(self.PARTS)})")
        if "poll" in parts:
            for n in sizes:
                self.poll_cost(n)
        if "latency" in parts:
            self.latency()
        if "throughput" in parts:
            self.throughput()
        if "discovery" in parts:
            self.discovery()
        if "intake" in parts:
            intake.run(self)
        if "postgres" in parts:
            postgres.run(self)
        main = report.table(self.results) if set(parts) - {"discovery", "intake", "postgres"} else None
        found = report.discovery_table(self.results) if "discovery" in parts else None
        pushed = intake.table(self.results) if "intake" in parts else None
        shared = postgres.table(self.results) if "postgres" in parts else None
        for text in (main, found, pushed, shared):
            if text:
                print()
                print(text)
        if self.args.out:
            previous = None
            if os.path.exists(self.args.out):
                with open(self.args.out) as f:
                    previous = f.read()
            with open(self.args.out, "w") as f:
                text = report.markdown(self.results, main, found, previous)
                if pushed:
                    text = report.splice(text, "Push intake", intake.section(self.results, pushed))
                elif previous and report._section(previous, "Push intake") and not report._section(text, "Push intake"):
                    start, end = report._section(previous, "Push intake")  # kept from the last run that measured it
                    text = report.splice(text, "Push intake", previous[start:end].rstrip("\n") + "\n")
                text = postgres.keep_or_replace(text, previous, shared, self.results)
                f.write(text)
            self.log(f"wrote {self.args.out}")
        with open(os.path.join(self.args.results_dir, "results.json"), "w") as f:
            json.dump(self.results, f, indent=1)


# Discovery's runs: high enough that neither the listings nor the polls wait for a token (the
# default, 20/s, would stretch a ListNodes walk of 1,000 clusters to 50 s), so the counts are the
# mechanism's own.
DISCOVERY_MAX_RPS = 2000


def listing_bytes(port):
    """Size of one ListJobs answer from the simulator at `port` (asked after the daemon stopped)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/api/v2/projects/0a1b2c3d4e5f/jobs", headers={"X-Auth-Token": "bench-token"})
        response = conn.getresponse()
        body = response.read()
        return len(body) if response.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()


def store_bytes(state):
    """Bytes on disk: the .sqlite file plus its -wal."""
    return sum(os.path.getsize(p) for p in (state, state + "-wal") if os.path.exists(p))


def store_logical(state):
    """(bytes in use by the database as its readers see it, WAL included; deliveries rows). Opened
    read-only beside the running daemon: WAL mode lets a reader in without disturbing the writer."""
    try:
        db = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=10)
        try:
            pages, size, free = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "page_size", "freelist_count"))
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            rows = db.execute("SELECT count(*) FROM deliveries").fetchone()[0] if "deliveries" in tables else -1
            return (pages - free) * size, rows
        finally:
            db.close()
    except sqlite3.Error as error:
        print(f"bench: cannot read {state}: {error}", file=sys.stderr)
        return 0, -1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobhook", required=True)
    parser.add_argument("--floor", required=True)
    parser.add_argument("--sdk-python", default="")
    parser.add_argument("--sdk-skip-reason", default="")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default="")
    parser.add_argument("--results-dir", default=".")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--sizes", type=lambda t: [int(x) for x in t.split(",")], default=None,
                        help="N values for the poll cost (default 100,1000,10000; --quick 20)")
    parser.add_argument("--only", default="", help="comma list of poll, latency, throughput, discovery, intake "
                        "(default poll, latency, throughput; --quick: all five)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs)")
    args = parser.parse_args()
    args.bench_dir = os.path.dirname(os.path.abspath(__file__))
    bench = Bench(args)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])  # a parent's blocked signals survive exec
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the children on the way out
    try:
        bench.run()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        print(f"bench: logs in {bench.work}", file=sys.stderr)
        args.keep = True
        return 1
    finally:
        bench.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
