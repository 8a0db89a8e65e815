"""Push intake (issue 13): what an SMN message costs the daemon and how soon a pushed job is polled.

Messages are signed here with `openssl dgst -sha256 -sign` (the standard library has no RSA) against a
throwaway certificate the daemon pins as `intake.smn.cert_file`, so each one passes the whole check:
topic, signature, age, the message-ID lookup, the action, the ID recorded.

- Latency: a notification whose CTS trace names a job the simulator serves is POSTed; the time until the
  simulator has answered that job's first ShowJob (`GET /sim/stats`, read every 2 ms) is the push delay.
- Flood: while the daemon polls `count` jobs at a fixed rate, threads POST pre-signed notifications of
  another service's traces (verified, recorded, ignored: no new jobs, so polling load stays the same),
  paced at fixed rates and then as fast as the route answers. Messages per second, the daemon's CPU per
  message (over the CPU the same polling cost in a window without messages) and polls per second.
"""
import base64
import http.client
import json
import os
import subprocess
import threading
import time
import uuid

import procs
import workload
from procs import BenchError, Client

TOPIC = "urn:smn:cn-north-4:0a1b2c3d4e5f:bench-events"


class Signer:
    def __init__(self, work):
        self.key = os.path.join(work, "smn-key.pem")
        self.cert = os.path.join(work, "smn-cert.pem")
        self.scratch = os.path.join(work, "smn-input")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
                        "-subj", "/CN=jobhook-bench-smn", "-days", "1"], check=True, capture_output=True)

    def sign(self, text):
        with open(self.scratch, "w") as f:
            f.write(text)
        out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key, self.scratch], check=True, capture_output=True)
        return base64.b64encode(out.stdout).decode()

    def notification(self, trace):
        """One signed Notification envelope (bytes) carrying `trace` (a dict) as its message."""
        message, mid = json.dumps(trace), uuid.uuid4().hex
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        text = (f"message\n{message}\nmessage_id\n{mid}\nsubject\nbench\ntimestamp\n{stamp}\n"
                f"topic_urn\n{TOPIC}\ntype\nNotification\n")
        return json.dumps({"type": "Notification", "signature_version": "v1", "topic_urn": TOPIC, "message_id": mid,
                           "message": message, "subject": "bench", "timestamp": stamp, "signature": self.sign(text)}).encode()


def trace(job_id, service="CCE"):
    response = json.dumps({"kind": "Cluster", "status": {"phase": "Creating", "jobID": job_id}})
    return {"trace_name": "createCluster", "service_type": service, "resource_type": "cluster", "resource_id": "c-bench",
            "code": "201", "request": "{}", "response": response, "time": int(time.time() * 1000)}


def post(conn, port, path, body):
    """POSTs on a kept-alive connection (reopened on failure); returns (status, connection)."""
    for attempt in (1, 2):
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            return response.status, conn
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
            if attempt == 2:
                raise
    return None, conn


def run(bench):
    quick = bench.quick
    count = 1000 if not quick else 20
    rate = 200 if not quick else 40
    latency_n = 20 if not quick else 3
    paced_rates = [100, 500] if not quick else [20]
    paced_s = 5.0 if not quick else 1.0
    flood_n = 3000 if not quick else 60
    window = 10.0 if not quick else 2.0
    signer = Signer(bench.work)

    def make(run_no, n):
        scenario = json.loads(workload.scenario(run_no, n + latency_n))
        return json.dumps(scenario)

    sim, port, run_no, jobs = bench.simulator(count, make=make)
    sim_api = Client(port)
    pushed = [workload.job_id(run_no, count + i) for i in range(latency_n)]
    bench.log(f"intake: {count} jobs polled at {rate}/s; {latency_n} pushed jobs; signing messages with openssl")
    total = flood_n + sum(int(r * paced_s) for r in paced_rates)
    bodies = [signer.notification(trace(str(uuid.uuid4()), service="ECS")) for _ in range(total)]
    pushes = [signer.notification(trace(job)) for job in pushed]

    intake = {"smn": {"topics": [TOPIC], "cert_file": signer.cert, "max_age": "1h"}}
    interval_ms = int(count / rate * 1000)
    never = workload.receiver("never", "http://127.0.0.1:9/never", {"job": "{{job.id}}"})
    rule = workload.rule("never-fires", {"phase": "Failed", "level": "job"}, ["never"])
    daemon, api, state, _ = bench.daemon("intake", port, jobs, f"{interval_ms}ms", max_rps=4 * rate,
                                         receivers=[never], rules=[rule], extra={"intake": intake})
    procs.wait_until(lambda: len(sim_api.get("/sim/stats")["jobs"]) == count
                     and min(sim_api.get("/sim/stats")["jobs"].values()) >= 2,
                     timeout=120, interval=0.3, what="every job polled twice")
    api_port = api.port

    # Latency: POST, then watch the simulator's count for the job.
    delays = []
    conn = None
    for job, body in zip(pushed, pushes):
        t0 = time.monotonic()
        status, conn = post(conn, api_port, "/intake/smn", body)
        if status != 200:
            raise BenchError(f"intake answered {status} to a signed notification")
        answered = time.monotonic() - t0
        procs.wait_until(lambda: sim_api.get("/sim/stats")["jobs"].get(job, 0) >= 1, timeout=30, interval=0.002,
                         what=f"the first ShowJob of pushed job {job}")
        delays.append((answered, time.monotonic() - t0))
        time.sleep(0.05)

    # Baseline window: polling alone.
    base = bench.window(daemon, sim, sim_api, window)

    # The same polling while threads POST pre-signed messages: at fixed rates, then as fast as the
    # route answers.
    runs = [flood(bench, daemon, sim_api, api_port, [bodies.pop() for _ in range(int(r * paced_s))], r, paced_s, base)
            for r in paced_rates]
    runs.append(flood(bench, daemon, sim_api, api_port, bodies, None, None, base))
    result = {
        "jobs": count, "poll_rate": rate, "polls_per_s_alone": base["polls_per_s"], "cpu_us_per_poll_alone": base["cpu_us_per_poll"],
        "floods": runs, "answer_ms": [a * 1000 for a, _ in delays], "first_poll_ms": [d * 1000 for _, d in delays],
    }
    watched = sum(1 for job in pushed if api.get(f"/v1/watches/{job}").get("source") == "smn")
    result["pushed_watched"] = watched
    daemon.stop()
    sim.stop()
    bench.results["intake"] = result
    ms = result["first_poll_ms"]
    bench.log(f"  push -> first ShowJob p50 {procs.percentile(ms, 50):.1f} ms, max {max(ms):.1f} ms; polls/s alone {base['polls_per_s']:.0f}")


def flood(bench, daemon, sim_api, api_port, bodies, rate, seconds, base):
    """POSTs `bodies` from four threads, paced to `rate` per second (None: as fast as answered)."""
    answered, other = [0], [0]
    lock = threading.Lock()
    queue = list(bodies)
    start = time.monotonic()

    def sender(k):
        conn, sent = None, 0
        while True:
            with lock:
                if not queue:
                    break
                body = queue.pop()
            if rate:
                due = start + (sent * 4 + k) / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            sent += 1
            status, conn = post(conn, api_port, "/intake/smn", body)
            with lock:
                if status == 200:
                    answered[0] += 1
                else:
                    other[0] += 1
        if conn is not None:
            conn.close()

    polls0, cpu0, t0 = sim_api.get("/sim/stats")["total"], procs.cpu_seconds(daemon.pid), time.monotonic()
    threads = [threading.Thread(target=sender, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    polls1, cpu1, t1 = sim_api.get("/sim/stats")["total"], procs.cpu_seconds(daemon.pid), time.monotonic()
    elapsed = t1 - t0
    polling_cpu = base["cpu_s"] / base["seconds"] * elapsed
    run = {"rate": rate, "messages": answered[0], "not_200": other[0], "seconds": elapsed,
           "messages_per_s": answered[0] / elapsed if elapsed > 0 else float("nan"),
           "cpu_us_per_message": max(0.0, (cpu1 - cpu0) - polling_cpu) / max(1, answered[0]) * 1e6,
           "polls_per_s": max(1, polls1 - polls0 - 1) / elapsed}
    bench.log(f"  {'paced at ' + str(rate) + '/s' if rate else 'unpaced'}: {run['messages_per_s']:.0f} messages/s answered, "
              f"{run['cpu_us_per_message']:.0f} us CPU/message, polls/s {run['polls_per_s']:.0f} (alone {base['polls_per_s']:.0f})")
    return run


def table(results):
    r = results["intake"]
    ms, answer = r["first_poll_ms"], r["answer_ms"]
    p = procs.percentile
    lines = [
        f"pushed jobs watched (source smn)          {r['pushed_watched']} of {len(ms)}",
        f"route answer (signed notification)       p50 {p(answer, 50):7.1f} ms   max {max(answer):7.1f} ms",
        f"notification sent -> first ShowJob       p50 {p(ms, 50):7.1f} ms   max {max(ms):7.1f} ms",
        f"polls/s with {r['jobs']:,} jobs at {r['poll_rate']}/s, no messages   {r['polls_per_s_alone']:9.0f}",
        "",
        "messages sent          answered/s   not 200   CPU/message   polls/s meanwhile",
    ]
    for run in r["floods"]:
        label = f"paced at {run['rate']}/s" if run["rate"] else "as fast as answered"
        lines.append(f"{label:<22} {run['messages_per_s']:10.0f} {run['not_200']:9d} {run['cpu_us_per_message']:10.0f} us"
                     f" {run['polls_per_s']:12.0f}")
    return "\n".join(lines)


METHOD = [
    "- One simulator serves the polled jobs and the pushed ones; the daemon (`jobhook run`, release) pins a",
    "  throwaway certificate as `intake.smn.cert_file`. Messages are signed with `openssl dgst -sha256 -sign`.",
    "- Push delay: a signed notification naming a job the daemon does not know is POSTed to `/intake/smn`;",
    "  the clock stops when the simulator has answered that job's first ShowJob (`/sim/stats`, read every 2 ms).",
    "- Flood: four client threads POST pre-signed notifications of another service's traces (each verified,",
    "  its ID looked up and recorded, then ignored: polling load stays the same) at fixed rates, then as fast",
    "  as the route answers, while the daemon keeps polling. CPU per message = the daemon's CPU in the run",
    "  minus what polling cost per second in the window before, over the messages. The Python client is part",
    "  of the load on the same cores.",
]


def section(results, text):
    m = results["machine"]
    return "\n".join(["## Push intake", "", f"Run {m['date']}, jobhook {m['jobhook']} (release build).", "",
                      *METHOD, "", "```", text, "```", ""])
