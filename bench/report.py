"""The benchmark's output: the machine, the table, the targets of issue 8 and docs/BENCHMARKS.md."""
import datetime
import os
import platform
import re
import subprocess


def parse_rfc3339(text):
    """Unix seconds of `2026-11-29T02:29:58.5027976Z` (any number of fraction digits); None if not that."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", text or "")
    if not match:
        return None
    base = datetime.datetime.fromisoformat(match.group(1) + ("+00:00" if match.group(3) == "Z" else match.group(3)))
    return base.timestamp() + (float("0" + match.group(2)) if match.group(2) else 0.0)


def machine(jobhook):
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""
    model = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
                  if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((int(line.split()[1]) for line in read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), 0)
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True, timeout=60).stdout.splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        swift = "unknown"
    try:
        version = subprocess.run([jobhook, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        version = "unknown"
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gb": round(mem / 1024 / 1024, 1),
            "kernel": platform.release(), "swift": swift, "jobhook": version, "binary": jobhook,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def _perf_rows(perf, data, *options):
    out = subprocess.run([perf, "report", "-i", data, "--sort", "dso,symbol", "--stdio", "-g", "none", *options],
                         capture_output=True, text=True, timeout=180).stdout
    rows = []
    for line in out.splitlines():
        # "  12.34%  [  5.67%]  dso  [.] symbol  -  -": children, optional self, object, symbol, empty IPC columns
        match = re.match(r"\s*([\d.]+)%\s+(?:[\d.]+%\s+)?(\S+)\s+\[.\]\s+(.*)", line)
        if match:
            symbol = re.sub(r"\s+-\s+-\s*$", "", match.group(3)).strip()
            rows.append((float(match.group(1)), match.group(2), symbol))
    samples = re.search(r"# Samples: (\S+)", out)
    return rows, samples.group(1) if samples else "?"


def _demangle(rows):
    try:
        names = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(r[2] for r in rows),
                               capture_output=True, text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return rows
    return [(p, dso, name) for (p, dso, _), name in zip(rows, names)] if len(names) == len(rows) else rows


def perf_summary(perf, data, work):
    """Where the daemon's time goes: self time by symbol, inclusive time of jobhook's own functions
    (frame-pointer call graphs), and the split by shared object. Swift names demangled."""
    try:
        self_rows, samples = _perf_rows(perf, data, "--no-children", "--percent-limit", "1.2")
        inclusive, _ = _perf_rows(perf, data, "--children", "--percent-limit", "2")
        dsos_out = subprocess.run([perf, "report", "-i", data, "--no-children", "--sort", "dso", "--stdio", "-g", "none"],
                                  capture_output=True, text=True, timeout=180).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"skipped": f"perf report failed: {error}"}
    by_dso = {}
    for line in dsos_out.splitlines():
        match = re.match(r"\s*([\d.]+)%\s+(\S+)", line)
        if match and float(match.group(1)) >= 1:
            by_dso[match.group(2)] = float(match.group(1))
    own = [r for r in inclusive if r[1] == "jobhook"][:25]
    return {"samples": samples, "top": _demangle(self_rows[:15]), "inclusive": _demangle(own), "by_dso": by_dso}


def _fmt(value, digits=0):
    return "n/a" if value is None or value != value else f"{value:,.{digits}f}"


def targets(results):
    """(target, measured, verdict) rows for issue 8's targets."""
    rows = []
    poll = results["poll"]
    for row in poll:
        jobhook = row["jobhook"]["cpu_us_per_poll"]
        floor = row.get("floor", {}).get("cpu_us_per_poll")
        if floor:
            ratio = jobhook / floor
            rows.append((f"CPU/poll <= 1.2x libcurl floor (N={row['n']:,})", f"{ratio:.2f}x ({jobhook:.0f} vs {floor:.0f} us)",
                         "met" if ratio <= 1.2 else "MISSED"))
        sdk = row.get("sdk", {}).get("cpu_us_per_poll")
        if sdk:
            rows.append((f">= 10x below the SDK loop (N={row['n']:,})", f"{sdk / jobhook:.1f}x below ({sdk:.0f} us)",
                         "met" if sdk / jobhook >= 10 else "MISSED"))
        else:
            rows.append((f">= 10x below the SDK loop (N={row['n']:,})", "SDK loop skipped", "skipped"))
    if len(poll) > 1:
        values = [r["jobhook"]["cpu_us_per_poll"] for r in poll]
        spread = (max(values) - min(values)) / min(values)
        rows.append((f"CPU/poll flat N={poll[0]['n']:,}..{poll[-1]['n']:,} (within 10 %)", f"{spread * 100:.0f} % spread",
                     "met" if spread <= 0.10 else "MISSED"))
    big = poll[-1] if poll else None
    if big and big["n"] >= 10000:
        rss_mb = big["rss_kb"] / 1024
        rows.append(("peak RSS < 64 MB at 10,000 jobs", f"{rss_mb:.1f} MB", "met" if rss_mb < 64 else "MISSED"))
    elif big:
        rows.append((f"peak RSS < 64 MB at 10,000 jobs (largest N here: {big['n']:,})", f"{big['rss_kb'] / 1024:.1f} MB", "n/a"))
    lat = results.get("latency")
    if lat:
        bound = lat["interval_s"] * 1e3 + 50
        rows.append((f"p99 change->delivery <= interval + 50 ms ({bound:.0f} ms)", f"{lat['p99_ms']:.0f} ms",
                     "met" if lat["p99_ms"] <= bound else "MISSED"))
    thr = results.get("throughput")
    if thr:
        rows.append((">= 2,000 persisted deliveries/s", f"{thr['per_s']:,.0f}/s", "met" if thr["per_s"] >= 2000 else "MISSED"))
    return rows


def _fmt1(value):
    return "n/a" if value is None else f"{value:.1f}"


def table(results):
    lines = []
    poll = results["poll"]
    if poll:  # none under --only latency,throughput
        lines.append("Poll cost (CPU of each poller's own process per poll, kernel accounting; simulator beside it)")
        lines.append(f"{'N jobs':>8} {'interval':>9} {'polls':>7} {'polls/s':>8} {'jobhook us':>11} {'SDK us':>8} "
                     f"{'floor us':>9} {'jh/SDK':>7} {'jh/floor':>9} {'VmHWM MB':>9} {'sim us':>7} {'sim cores':>9} "
                     f"{'jh cs':>6} {'floor cs':>8}")
        for row in poll:
            j, f, s = row["jobhook"], row.get("floor", {}), row.get("sdk", {})
            sdk = s.get("cpu_us_per_poll")
            floor = f.get("cpu_us_per_poll")
            lines.append(f"{row['n']:>8,} {row['interval_s']:>8g}s {j['polls']:>7,} {j['polls_per_s']:>8,.0f} "
                         f"{j['cpu_us_per_poll']:>11,.0f} {_fmt(sdk):>8} {_fmt(floor):>9} "
                         f"{(j['cpu_us_per_poll'] / sdk if sdk else float('nan')):>7.3f} "
                         f"{(j['cpu_us_per_poll'] / floor if floor else float('nan')):>9.2f} "
                         f"{row['rss_kb'] / 1024:>9.1f} {j['sim_cpu_us_per_poll']:>7,.0f} {j['sim_cores']:>9.2f} "
                         f"{_fmt1(j.get('switches_per_poll')):>6} {_fmt1(f.get('switches_per_poll')):>8}")
        lines.append("  (cs = context switches per poll over all threads of the process, /proc/PID/task/*/status)")
        for row in poll:
            s, f = row.get("sdk"), row.get("floor")
            extra = []
            if s:
                extra.append(f"SDK {s['polls']:,} polls at {s['polls_per_s']:,.0f}/s ({s['cores']:.2f} cores)")
            if f:
                extra.append(f"floor {f['polls']:,} polls at {f['polls_per_s']:,.0f}/s ({f['cores']:.2f} cores)")
            lines.append(f"  N={row['n']:,}: jobhook {row['jobhook']['cores']:.2f} cores, start-up {row['startup_s']:.1f}s, "
                         f"RSS now {row['rss_now_kb'] / 1024:.1f} MB = anonymous {row['rss_anon_kb'] / 1024:.1f} MB + "
                         f"file-backed (shared libraries) {row['rss_file_kb'] / 1024:.1f} MB; " + "; ".join(extra))
        if len(poll) > 1:
            a, b = poll[0], poll[-1]
            per_job = (b["rss_kb"] - a["rss_kb"]) / (b["n"] - a["n"])
            anon_per_job = (b["rss_anon_kb"] - a["rss_anon_kb"]) / (b["n"] - a["n"])
            lines.append(f"Scaling: CPU/poll {a['jobhook']['cpu_us_per_poll']:.0f} us at N={a['n']:,} -> "
                         f"{b['jobhook']['cpu_us_per_poll']:.0f} us at N={b['n']:,}; peak RSS per watched job {per_job:.2f} kB "
                         f"(anonymous RSS per job {anon_per_job:.2f} kB)")
    lat = results.get("latency")
    if lat:
        lines.append("")
        lines.append(f"Latency, change on the simulator -> request at the receiver: {lat['deliveries']:,} deliveries for "
                     f"{lat['changes']:,} changes ({lat['rate_per_s']}/s), poll interval {lat['interval_s']:g}s")
        lines.append(f"  p50 {lat['p50_ms']:,.0f} ms   p99 {lat['p99_ms']:,.0f} ms   max {lat['max_ms']:,.0f} ms")
        lines.append(f"  jobhook's share (detection -> arrival): p50 {lat['processing_p50_ms']:.1f} ms   "
                     f"p99 {lat['processing_p99_ms']:.1f} ms   max {lat['processing_max_ms']:.1f} ms; "
                     f"the rest is waiting for the next poll (p99 {lat['detect_wait_p99_ms']:,.0f} ms)")
    thr = results.get("throughput")
    if thr:
        lines.append("")
        lines.append(f"Delivery burst: {thr['jobs']} jobs x 4 changes x {thr['rules']} rules x {thr['receivers']} receivers "
                     f"= {thr['expected']:,} deliveries, persisted before sending")
        lines.append(f"  delivered {thr['delivered']:,} (pending after {thr['pending_after']}, dead {thr['dead_after']}); "
                     f"{thr['per_s']:,.0f} deliveries/s over the arrivals; drained {thr['drain_s']:.2f}s after the first change")
        lines.append(f"  jobhook CPU {thr['cpu_us_per_delivery']:,.0f} us per delivery")
        lines.append(f"  store: +{thr['store_per_1000'] / 1024:,.0f} KiB per 1,000 deliveries (pages in use, {thr['delivery_rows']:,} "
                     f"delivery rows added); files .sqlite + -wal {thr['store_before'] / 1024:,.0f} KiB before, "
                     f"{thr['store_running'] / 1024:,.0f} KiB drained, {thr['store_stopped'] / 1024:,.0f} KiB after stop")
    lines.append("")
    lines.append("Targets (issue 8)")
    for target, measured, verdict in targets(results):
        lines.append(f"  {verdict:<8} {target}: {measured}")
    for note in results["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def discovery_table(results):
    """The `discover:` part: requests per listing round, appear -> first ShowJob, memory."""
    d = results.get("discovery")
    if not d:
        return ""
    lines = [f"Discovery (`discover:`, no watch.jobs; poll.max_rps {d['max_rps']:,} and poll.concurrency 8 for every run, so no "
             "request waits for a token)"]
    cost = d["cost"]
    if cost:
        c = cost[0]
        lines.append(f"Requests to CCE: {c['jobs']:,} Running jobs in one project, discover interval {c['interval_s']:g}s, "
                     f"poll interval {c['poll_interval_s']:g}s; counted by the simulator over {c['rounds']} whole listing rounds")
        lines.append(f"  {'via':<14} {'clusters':>8} {'ListJobs':>8} {'ListClusters':>12} {'ListNodes':>9} {'per round':>9} "
                     f"{'expected':>8} {'round every':>11} {'round takes':>11} {'ShowJob/poll int.':>17} {'listing/min':>11} "
                     f"{'ShowJob/min':>11} {'jh cores':>8} {'sim cores':>9}")
        for r in cost:
            via = r["via"] + (" (403)" if r["list_jobs"] == "forbidden" else "")
            p = r["per_round"]
            lines.append(f"  {via:<14} {r['clusters']:>8,} {p['jobs']:>8g} {p['clusters']:>12g} {p['nodes']:>9,g} "
                         f"{r['listing_per_round']:>9,.0f} {r['expected_per_round']:>8,} {r['period_s']:>10.2f}s {r['round_s']:>10.1f}s "
                         f"{r['showjob_per_poll_interval']:>17,.0f} {r['listing_per_min']:>11,.0f} {r['showjob_per_min']:>11,.0f} "
                         f"{r['cores']:>8.2f} {r['sim_cores']:>9.2f}")
        lines.append("  (per round: listing requests of one round, exact (counted between the quiet gaps); round every: the")
        lines.append("   measured period, as the interval is waited after a round ends; round takes: first to last request of")
        lines.append("   a round, to ~0.1 s; ShowJob/poll int.: ShowJob requests per poll interval, counted from the moment")
        lines.append("   every job had been polled once to the moment every job had been polled three times; jh/sim cores:")
        lines.append("   CPU of jobhook / the simulator over the listing rounds)")
        slow = [r for r in cost if r["listing_per_round"] > 20]
        if slow:
            worst = max(slow, key=lambda r: r["listing_per_round"])
            lines.append(f"  at the default poll.max_rps 20 one round of {worst['listing_per_round']:,.0f} requests (via {worst['via']}, "
                         f"{worst['clusters']:,} clusters) alone takes {worst['listing_per_round'] / 20:,.0f}s of the token bucket")
    for r in d["latency"]:
        via = r["via"] + (" (ListJobs 403)" if r["list_jobs"] == "forbidden" else "")
        def verdict(bound):
            over = r["max_ms"] - bound
            if over <= 0:
                return "within"
            # /sim/stats is read every 20 ms, and each read takes a few: closer than that is not "over".
            return f"{over:,.0f} ms past (within the 20 ms sampling)" if over <= 40 else f"{over:,.0f} ms OVER"
        lines.append("")
        lines.append(f"Listing -> first ShowJob, via {via}: {r['jobs']} jobs added (POST /sim/jobs) at random moments, "
                     f"{r['background']} jobs already listed, discover interval {r['interval_s']:g}s")
        lines.append(f"  POST -> first ShowJob: p50 {r['p50_ms']:,.0f} ms   p90 {r['p90_ms']:,.0f} ms   max {r['max_ms']:,.0f} ms")
        if "round_ms" in r:
            lines.append(f"  max against interval + first-poll spread 0.5 s ({r['bound_ms']:,.0f} ms): {verdict(r['bound_ms'])}; "
                         f"against interval + one round ({r['round_ms']:,.0f} ms, waited before the interval) + 0.5 s "
                         f"({r['bound_round_ms']:,.0f} ms): {verdict(r['bound_round_ms'])}")
        lines.append(f"  of which listing round start -> first ShowJob: p50 {r['listing_to_poll_p50_ms']:,.0f} ms   "
                     f"max {r['listing_to_poll_max_ms']:,.0f} ms; samples "
                     + ", ".join(f"{t:,.0f}" for t in r["samples_ms"]) + " ms")
    mem = d["memory"]
    if mem:
        lines.append("")
        lines.append(f"Memory with {mem[0]['jobs']:,} jobs in the listing (via jobs; poll interval {mem[-1]['poll_interval_s']:g}s)")
        lines.append(f"  {'case':<34} {'VmHWM MB':>8} {'VmRSS MB':>8} {'anon MB':>7} {'listings':>8} {'ShowJob':>8} "
                     f"{'CPU/listing':>11} {'ListJobs answer':>15}")
        names = {"finished": "finished, discovered (baseline)", "running": "running, discovered",
                 "watch.jobs": "running, watch.jobs, no discover:"}
        for r in mem:
            cpu = f"{r['cpu_ms_per_listing']:,.0f} ms" if r.get("cpu_ms_per_listing") is not None else ""
            answer = f"{r['listing_bytes'] / 1e6:.1f} MB" if r.get("listing_bytes") else ""
            lines.append(f"  {names.get(r['case'], r['case']):<34} {r['rss_kb'] / 1024:>8.1f} {r['rss_now_kb'] / 1024:>8.1f} "
                         f"{r['rss_anon_kb'] / 1024:>7.1f} {r['listings']:>8,} {r['showjob']:>8,} {cpu:>11} {answer:>15}")
        lines.append("  (finished: read after the baseline and more listings, no job polled; running: after every job was")
        lines.append("   polled twice and two more listings; new jobs join at most 1,000 per listing)")
        for r in mem:
            if r.get("rss_early_kb"):
                lines.append(f"  {r['case']}: VmRSS {r['rss_early_kb'] / 1024:.1f} MB "
                             + ("after the baseline and one more listing" if r["case"] == "finished" else "once every job had been polled twice")
                             + f", {r['rss_now_kb'] / 1024:.1f} MB at the end ({(r['rss_now_kb'] - r['rss_early_kb']) / 1024:+.1f} MB)")
        sized = [r for r in mem if r.get("listing_bytes")]
        if sized:
            per_job = max(r["listing_bytes"] / r["jobs"] for r in sized)
            lines.append(f"  ListJobs answer {per_job:,.0f} bytes per listed job (a tree with three sub-jobs): the 32 MiB answer limit is "
                         f"reached at ~{32 * 2 ** 20 / per_job:,.0f} listed jobs")
        by = {r["case"]: r for r in mem}
        if "running" in by and "watch.jobs" in by:
            a, b = by["running"], by["watch.jobs"]
            lines.append(f"  discovery's cost at {a['jobs']:,} running jobs: VmHWM {(a['rss_kb'] - b['rss_kb']) / 1024:+.1f} MB, "
                         f"VmRSS {(a['rss_now_kb'] - b['rss_now_kb']) / 1024:+.1f} MB against watch.jobs")
    for note in d.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


DISCOVERY_METHOD = [
    "`bench/run --only discovery` (not in the default run: it takes about as long as the rest). Each run is one",
    "simulator (`jobhook simulate`, release) and one `jobhook run --log-level error` with `discover:` and an empty",
    "`watch.jobs`, token auth. The simulator counts every request (`GET /sim/stats`: ShowJob per job, listings by kind).",
    "",
    "- Requests: 1,000 Running jobs, either CreateCluster jobs each on its own cluster (ListNodes walks 1,000",
    "  clusters) or 10 CreateCluster jobs plus 990 CreateNode jobs on those 10 clusters. `via: auto` runs with",
    "  `list_jobs: forbidden`, so ListJobs answers 403 and discovery falls back to clusters. After every job was",
    "  polled once, the window runs from the quiet gap after one listing round to the quiet gap after the fifth",
    "  next, so listing requests per round are exact. Jobs discovered together are polled in waves, so ShowJob",
    "  requests are counted over two whole waves (every job polled once -> every job polled three times).",
    "- Listing -> first ShowJob: 100 jobs are listed; then 10 jobs are added one at a time (`POST /sim/jobs`)",
    "  after random pauses of 0..interval + 0.5 s, and `/sim/stats` is read every 20 ms until it shows a ShowJob",
    "  for the new job. The wait is the rest of the listing period (the interval is waited after a round ends, so",
    "  the period is interval + one round), then the first poll's random delay (up to 0.5 s).",
    "- Memory: `VmHWM` (peak) and `VmRSS` of the daemon with 10,000 jobs in ListJobs: all finished (the first",
    "  listing records them as the baseline, silently; five more listings follow, and CPU per listing is the",
    "  daemon's utime + stime over the last four, when nothing else runs), all running (they join at most 1,000",
    "  per listing; read after each was polled twice and two more listings), and the same 10,000 running jobs",
    "  named in `watch.jobs` with no `discover:`.",
    "- A round's requests go one at a time (ListClusters, then ListNodes cluster by cluster), so its length is",
    "  the sum of the round trips. With 1,000 clusters here most of it is the simulator's own CPU (`sim cores`):",
    "  it rebuilds the clusters and nodes from every job's timeline for each ListNodes; against CCE it is",
    "  1,001 real round trips, and with the default `poll.max_rps: 20` at least 50 s of tokens.",
]


def discovery_section(results, found):
    d = results["discovery"]
    m = results["machine"]
    return "\n".join(["## Discovery", "",
                      f"Run {m['date']}: `{d['commands']}`, jobhook {m['jobhook']} (release build).", "",
                      *DISCOVERY_METHOD, "", "```", found, "```", ""])


def _section(text, heading):
    """(start, end) of the `## heading` section in `text` (to the next `## ` heading), or None."""
    match = re.search(rf"^## {re.escape(heading)}\n", text, re.M)
    if not match:
        return None
    after = re.search(r"^## ", text[match.end():], re.M)
    return match.start(), match.end() + after.start() if after else len(text)


def _splice_discovery(text, section):
    """`text` with its Discovery section replaced by `section` (or inserted before the profiles/history)."""
    return splice(text, "Discovery", section)


def splice(text, heading, section):
    """`text` with its `## heading` section replaced by `section` (or inserted before the profiles/history)."""
    span = _section(text, heading)
    if span:
        rest = text[span[1]:]
        return text[:span[0]] + section + ("\n" + rest if rest else "")
    for heading in ("Where the time goes", "What the profiles led to"):
        match = re.search(rf"^## {re.escape(heading)}", text, re.M)
        if match:
            return text[:match.start()] + section + "\n" + text[match.start():]
    return text.rstrip("\n") + "\n\n" + section


def markdown(results, text, found=None, previous=None):
    """docs/BENCHMARKS.md. `text`: the main table (None when only discovery ran: then `previous`, the file
    as it was, is kept and only its Discovery section is replaced); `found`: the discovery table (None when
    discovery did not run: then `previous`'s Discovery section, if any, is kept)."""
    if text is None:
        if found is None:
            return previous or ""
        section = discovery_section(results, found)
        return _splice_discovery(previous, section) if previous else "# Benchmarks\n\n" + section

    m = results["machine"]
    out = ["# Benchmarks", "",
           "Produced by `bench/run` (issue 8). Rerun it to refresh this file; `bench/run --quick` runs the same",
           "harness with tiny N (the test suite does, so it never rots) and writes `.build-bench/BENCHMARKS-quick.md`.", "",
           "## Machine", "",
           f"- {m['nproc']} cores: {m['cpu']}; {m['memory_gb']} GB memory; Linux {m['kernel']}",
           f"- {m['swift']}; jobhook {m['jobhook']} (release build)",
           f"- run {m['date']}: `{results['commands']}`", "",
           "## How it is measured", "",
           "- One simulator process (`jobhook simulate`, release) serves N CreateCluster jobs, each a tree with three",
           "  sub-jobs that stays Running, so every poll is a full request + decode + diff and produces nothing.",
           "- jobhook (`jobhook run --log-level error`, token auth, `poll.concurrency: 8`, `poll.max_rps` twice the",
           "  poll rate so the cap does not bind), the SDK loop (`bench/sdk_loop.py`: `CceClient.show_job` per job",
           "  with `BasicCredentials` and `with_endpoint` at the simulator, the phase diff in Python) and the floor",
           "  (`bench/floor.c`: one libcurl easy handle, kept-alive connection, bodies read, nothing parsed) poll the",
           "  same jobs at the same interval, one after the other, so they never share the CPU.",
           "- CPU per poll = utime + stime of that poller's process only (`/proc/PID/stat`) over a steady-state",
           "  window (after every job was answered twice), divided by the requests the simulator counted in the",
           "  window (`GET /sim/stats`). Peak RSS = `VmHWM` of the jobhook process. The simulator's CPU per poll and",
           "  cores used are reported beside it: it is not saturated when `sim cores` is well below 1.",
           "- Latency: the simulator's `POST /sim/jobs/{id}/phase` flips jobs (and their sub-jobs) to Success at a",
           "  steady rate; a rule on `{phase: Success, from: Running, level: job}` posts to a local receiver",
           "  (`bench/receiver.py`, raw asyncio HTTP/1.1) that stamps arrival. Change time is the job's",
           "  `updated_at` as the simulator rendered it, detection time is `{{event.detected_at}}`, both in the body.",
           "- Burst: jobs flip at once; every change matches two rules that each notify five receivers. Every",
           "  delivery is written to the SQLite store before its first attempt, as in production. Store size per",
           "  1,000 deliveries = growth of the pages in use (`page_count - freelist_count`, read beside the running",
           "  daemon, WAL included) over the delivery rows added; file sizes (.sqlite + -wal) are shown too.", "",
           "## Results", "", "```", text, "```", ""]
    if found:
        out += [discovery_section(results, found)]
    elif previous and _section(previous, "Discovery"):
        start, end = _section(previous, "Discovery")
        out += [previous[start:end].rstrip("\n"), ""]
    poll = results["poll"]
    prof = next((r["profile"] for r in poll if r.get("profile")), None)
    if prof or results.get("burst_profile"):
        out += ["## Where the time goes", ""]
    if prof:
        n = next(r["n"] for r in poll if r.get("profile"))
        out += _profile_section(prof, f"Polling: `perf record -e cpu-clock -g` on the daemon for a few seconds of the N={n:,} window")
    if results.get("burst_profile"):
        out += _profile_section(results["burst_profile"], "Delivery burst: the same, over the whole burst")
    # What earlier profiles led to, kept by hand (the numbers above are regenerated, these are not).
    history = os.path.join(os.path.dirname(os.path.abspath(__file__)), "HISTORY.md")
    if os.path.exists(history):
        with open(history) as f:
            out += ["", f.read().rstrip(), ""]
    return "\n".join(out)


def _profile_section(prof, title):
    if prof.get("skipped"):
        return [f"{title}: skipped ({prof['skipped']})", ""]
    out = [f"### {title} ({prof['samples']} samples)", "",
           "By shared object (self time): " + ", ".join(
               f"{dso} {p:.0f} %" for dso, p in sorted(prof["by_dso"].items(), key=lambda kv: -kv[1])), "",
           "Inclusive time of jobhook's own functions (call graphs by frame pointer):", "",
           "| % incl. | function |", "|---:|---|"]
    for percent, _, name in prof.get("inclusive", []):
        out.append(f"| {percent:.1f} | `{name[:120]}` |")
    out += ["", "Self time by symbol:", "", "| % self | object | symbol |", "|---:|---|---|"]
    for percent, dso, name in prof["top"]:
        out.append(f"| {percent:.1f} | {dso} | `{name[:110]}` |")
    return out + [""]
