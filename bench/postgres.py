"""State on PostgreSQL next to SQLite (issue 14), in one run on one machine: what a poll and a
delivery cost the daemon — and the database server — when the state is a SQLite file, a PostgreSQL
database, and a PostgreSQL database shared by two replicas (one working, one standing by).

- Poll cost: `count` jobs polled at a fixed rate with no change to record (the steady state of a
  daemon); CPU of the daemon(s) and of every PostgreSQL server process per poll served.
- Throughput: jobs x 4 changes x 2 rules x 5 receivers deliveries at once (as the main throughput
  part, smaller); deliveries per second over the arrival spread, CPU per delivery.
The database is a throwaway cluster on loopback (initdb, fsync off: the server's disk is not what is
compared), started as the unprivileged `jobhook-pg` when run as root.
"""
import os
import sys
import time
import urllib.request

import procs
import workload
from procs import Client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from chaoslib.postgres import Postgres  # noqa: E402

BACKENDS = ("sqlite", "postgres", "postgres, 2 replicas")


def server_pids(database):
    """The postmaster and its children (backends, background workers)."""
    with open(os.path.join(database.data, "postmaster.pid")) as f:
        postmaster = int(f.readline())
    pids = [postmaster]
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        pids.append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def cpu(pids):
    total = 0.0
    for pid in pids:
        try:
            total += procs.cpu_seconds(pid)
        except OSError:
            pass
    return total


def run(bench):
    quick = bench.quick
    database = Postgres()
    try:
        results = {"poll": [], "throughput": []}
        for backend in BACKENDS:
            results["poll"].append(poll_cost(bench, backend, database, quick))
        for backend in BACKENDS[:2]:
            results["throughput"].append(throughput(bench, backend, database, quick))
        bench.results["postgres"] = results
    finally:
        database.close()


def start(bench, name, port, jobs, interval, max_rps, receivers, rules, backend, database):
    """The daemons for `backend`: one, or two on one database (the first is running before the second
    starts, so it takes the work)."""
    url = database.create_database(name.replace("-", "_")) if backend != "sqlite" else None
    first = bench.daemon(name, port, jobs, interval, max_rps=max_rps, receivers=receivers, rules=rules, postgres=url)
    daemons = [first]
    if backend.endswith("2 replicas"):
        procs.wait_until(lambda: working(first[1]), timeout=60, interval=0.1, what="the first replica to take the work")
        daemons.append(bench.daemon(name + "-standby", port, jobs, interval, max_rps=max_rps, receivers=receivers,
                                    rules=rules, postgres=url))
    return daemons


def working(api):
    """Whether the daemon behind `api` holds the work lease (its /metrics)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{api.port}/metrics", timeout=5) as answer:
            return "jobhook_replica_working 1" in answer.read().decode()
    except OSError:
        return False


def poll_cost(bench, backend, database, quick):
    count = 1000 if not quick else 20
    rate = 500 if not quick else 100
    window = 12.0 if not quick else 2.0
    sim, port, run_no, jobs = bench.simulator(count)
    sim_api = Client(port)
    never = workload.receiver("never", "http://127.0.0.1:9/never", {"job": "{{job.id}}"})
    rule = workload.rule("never-fires", {"phase": "Failed", "level": "job"}, ["never"])
    name = f"pg-poll-{BACKENDS.index(backend)}"
    bench.log(f"postgres: poll cost, {backend}, N={count} at {rate}/s")
    daemons = start(bench, name, port, jobs, f"{int(count / rate * 1000)}ms", 2 * rate, [never], [rule], backend, database)
    procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == count
                     and min(sim_api.get("/sim/stats")["jobs"].values()) >= 2,
                     timeout=120, interval=0.5, what="every job polled twice")
    time.sleep(1.0)
    ours, theirs = [d[0].pid for d in daemons], server_pids(database) if backend != "sqlite" else []
    polls0, cpu0, db0, t0 = sim_api.get("/sim/stats")["total"], cpu(ours), cpu(theirs), time.monotonic()
    time.sleep(window)
    polls1, cpu1, db1, t1 = sim_api.get("/sim/stats")["total"], cpu(ours), cpu(theirs), time.monotonic()
    standby = [cpu([d[0].pid]) for d in daemons[1:]]
    polls = max(1, polls1 - polls0 - 1)
    row = {"backend": backend, "jobs": count, "polls_per_s": polls / (t1 - t0),
           "cpu_us_per_poll": (cpu1 - cpu0) / polls * 1e6, "db_cpu_us_per_poll": (db1 - db0) / polls * 1e6,
           "rss_kb": procs.memory_kb(daemons[0][0].pid)}
    if standby:
        row["standby_cpu_s"] = standby[0]  # since it started: its whole life as a standby
    for daemon in reversed(daemons):
        daemon[0].stop()
    sim.stop()
    bench.log(f"  {row['cpu_us_per_poll']:.0f} us/poll in jobhook, {row['db_cpu_us_per_poll']:.0f} us/poll in PostgreSQL")
    return row


def throughput(bench, backend, database, quick):
    jobs_n = 100 if not quick else 3
    rules_n, receivers_n = 2, 5
    expected = jobs_n * 4 * rules_n * receivers_n
    sim, port, run_no, jobs = bench.simulator(jobs_n)
    sim_api = Client(port)
    recv, recv_port = bench.receiver()
    recv_api = Client(recv_port)
    body = {"text": "CCE {{job.type}} {{job.id}} is {{event.to}}", "event": "{{event.id}}"}
    receivers = [workload.receiver(f"hook-{k}", f"http://127.0.0.1:{recv_port}/hook-{k}", body) for k in range(receivers_n)]
    names = [r["name"] for r in receivers]
    rules = [workload.rule(f"succeeded-{k}", {"phase": "Success", "level": "any"}, names) for k in range(rules_n)]
    name = f"pg-burst-{BACKENDS.index(backend)}"
    bench.log(f"postgres: throughput, {backend}, {expected} deliveries")
    daemons = start(bench, name, port, jobs, "250ms", 4000, receivers, rules, backend, database)
    procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == jobs_n
                     and min(sim_api.get("/sim/stats")["jobs"].values()) >= 2,
                     timeout=60, interval=0.2, what="every job polled twice")
    time.sleep(0.5)
    ours, theirs = [d[0].pid for d in daemons], server_pids(database) if backend != "sqlite" else []
    cpu0, db0, t0 = cpu(ours), cpu(theirs), time.time()
    for i, job in enumerate(jobs):
        sim_api.post(f"/sim/jobs/{job}/phase", {"phase": "Success", "subjobs": workload.subjobs(run_no, i, "Success")})
    procs.wait_until(lambda: recv_api.get("/stats")["count"] >= expected, timeout=300, interval=0.1,
                     what=f"{expected} deliveries at the receiver")
    cpu1, db1 = cpu(ours), cpu(theirs)
    records = recv_api.get("/dump")
    for daemon in reversed(daemons):
        daemon[0].stop()
    recv.stop()
    sim.stop()
    arrivals = sorted(r[0] for r in records)
    spread = arrivals[-1] - arrivals[0]
    row = {"backend": backend, "expected": expected, "delivered": len(records), "drain_s": arrivals[-1] - t0,
           "per_s": len(records) / spread if spread > 0 else float("nan"),
           "cpu_us_per_delivery": (cpu1 - cpu0) / max(1, len(records)) * 1e6,
           "db_cpu_us_per_delivery": (db1 - db0) / max(1, len(records)) * 1e6}
    bench.log(f"  {row['delivered']} delivered, {row['per_s']:.0f}/s, {row['cpu_us_per_delivery']:.0f} us/delivery in jobhook")
    return row


def table(results):
    r = results["postgres"]
    lines = ["state                    polls/s   jobhook CPU/poll   PostgreSQL CPU/poll   VmHWM",
             "------------------------ -------   ----------------   -------------------   -----"]
    for row in r["poll"]:
        lines.append(f"{row['backend']:<24} {row['polls_per_s']:7.0f}   {row['cpu_us_per_poll']:13.0f} us"
                     f"   {row['db_cpu_us_per_poll']:16.0f} us   {row['rss_kb'] / 1024:4.0f} MB")
    standby = [row for row in r["poll"] if "standby_cpu_s" in row]
    if standby:
        lines.append(f"(the standby replica used {standby[0]['standby_cpu_s']:.2f} s of CPU in its whole life, start-up included)")
    lines += ["", "state                    deliveries   per s   jobhook CPU/delivery   PostgreSQL CPU/delivery",
              "------------------------ ----------   -----   --------------------   -----------------------"]
    for row in r["throughput"]:
        lines.append(f"{row['backend']:<24} {row['delivered']:10d}   {row['per_s']:5.0f}   {row['cpu_us_per_delivery']:17.0f} us"
                     f"   {row['db_cpu_us_per_delivery']:20.0f} us")
    return "\n".join(lines)


METHOD = [
    "- One simulator per measurement; the daemon (`jobhook run`, release) on a SQLite file, on a PostgreSQL",
    "  database (a throwaway cluster on loopback, fsync off), or two daemons on one database (the first works,",
    "  the second stands by). Each measurement has a fresh database.",
    "- Poll cost: every job polled at a fixed rate, nothing changing; CPU of the daemon(s) and of every",
    "  PostgreSQL server process over a window, per poll the simulator served.",
    "- Throughput: every job and its 3 sub-jobs go to Success at once; 2 rules x 5 receivers; deliveries per",
    "  second over the spread of their arrivals at a local receiver; CPU per delivery.",
]


def keep_or_replace(text, previous, table_text, results):
    """The report with this part's section: the new one when it ran, else the last run's."""
    import report
    if table_text:
        m = results["machine"]
        section = "\n".join(["## PostgreSQL next to SQLite", "", f"Run {m['date']}, jobhook {m['jobhook']} (release build).", "",
                             *METHOD, "", "```", table_text, "```", ""])
        return report.splice(text, "PostgreSQL next to SQLite", section)
    if previous and report._section(previous, "PostgreSQL next to SQLite") and not report._section(text, "PostgreSQL next to SQLite"):
        start_, end = report._section(previous, "PostgreSQL next to SQLite")
        return report.splice(text, "PostgreSQL next to SQLite", previous[start_:end].rstrip("\n") + "\n")
    return text
