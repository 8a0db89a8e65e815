"""Processes of a chaos run: the simulator, the daemon, and what is measured of them. Everything a
run starts is registered here and killed by `Harness.close()`, whatever happened, so a failed run
leaves nothing listening."""
import os, re, signal, socket, subprocess, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def binary():
    return os.environ.get("JOBHOOK_BIN") or os.path.join(ROOT, ".build/debug/jobhook")


def free_port():
    """A loopback port free now (the daemon's metrics port must be known before it starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid, field="VmRSS"):
    """Resident set size of `pid` in KiB (`VmHWM`: its peak so far), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None


class Harness:
    """Owns a run's temporary directory and child processes."""

    def __init__(self, name, work=None):
        self.work = work or tempfile.mkdtemp(prefix=f"jobhook-{name}-")
        self.children = []
        self.log_path = os.path.join(self.work, "daemon.log")

    def path(self, name):
        return os.path.join(self.work, name)

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.children.append(p)
        return p

    def simulator(self, scenario_path):
        """Starts `jobhook simulate` on a free loopback port; returns its endpoint."""
        sim = self.spawn([binary(), "simulate", "--scenario", scenario_path, "--listen", "127.0.0.1:0"],
                         stdout=subprocess.PIPE, stderr=open(self.path("simulator.log"), "a"), text=True)
        line = sim.stdout.readline()
        found = re.search(r"http://[0-9.:]+", line)
        if not found:
            raise SystemExit(f"the simulator did not start: {line!r} (see {self.path('simulator.log')})")
        self.sim = sim
        return found.group(0)

    def daemon(self, config, log_level="error"):
        """Starts `jobhook run` on `config`, its stderr appended to daemon.log ($CHAOS_LOG_LEVEL overrides
        the run's level, to look closer at a failure)."""
        level = os.environ.get("CHAOS_LOG_LEVEL", log_level)
        return self.spawn([binary(), "run", "-c", config, "--log-level", level],
                          stdout=subprocess.DEVNULL, stderr=open(self.log_path, "a"))

    def close(self):
        for p in self.children:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.children = []


def sigkill(process):
    process.send_signal(signal.SIGKILL)
    process.wait()


def stop(process, timeout=30):
    """SIGTERM and wait (SIGKILL after `timeout`); returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def metrics(port, timeout=2):
    """The daemon's /metrics as {'name{labels}': value}; {} while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as r:
            text = r.read().decode()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            try:
                values[key] = float(value)
            except ValueError:
                pass
    return values


def metric_sum(values, name, **labels):
    """Sum of a metric's series whose labels include `labels`."""
    total = 0.0
    for key, value in values.items():
        if key == name or key.startswith(name + "{"):
            if all(f'{k}="{v}"' in key for k, v in labels.items()):
                total += value
    return total


def wait_until(predicate, limit, step=0.5):
    """Polls `predicate` until true or `limit` seconds pass; returns whether it became true."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def write_config(path, *, endpoint, state, jobs, receivers, metrics_port=None, poll="{interval: 1s, concurrency: 16, max_rps: 2000}",
                 auth="{token: t}", rule_level="any", postgres=None):
    """rules.yaml for a run: every phase change of `jobs` to every receiver in `receivers`
    (name → YAML mapping text without braces). The token is the simulator's, not a secret. The
    default `max_rps` lets every job be polled each second: under the default 20, a hundred jobs
    are polled every 5 s and phases shorter than that go unseen, which is not what a run measures.
    `postgres`: `{url: …, lease: …}` text for `state.postgres`, in place of the SQLite file `state`."""
    listen = f'"127.0.0.1:{metrics_port}"' if metrics_port else "~"
    lines = [
        f'cce: {{region: cn-north-4, endpoint: "{endpoint}", project_id: p1, auth: {auth}}}',
        f"poll: {poll}",
        f"watch: {{jobs: [{', '.join(jobs)}]}}",
        f"state: {{postgres: {postgres}}}" if postgres else f'state: {{path: "{state}"}}',
        f"server: {{listen: {listen}}}",
        "receivers:",
    ]
    for name, fields in receivers.items():
        lines.append(f"  - {{name: {name}, {fields}}}")
    lines += ["rules:", f"  - {{name: everything, match: {{level: {rule_level}}}, notify: [{', '.join(receivers)}]}}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def generic_receiver(url, retry, timeout="5s"):
    """A receiver's fields: a JSON body naming the change and its job, and `retry`."""
    body = '{uid: "{{job.id}}", to: "{{event.to}}"}'
    return f'url: "{url}", timeout: {timeout}, body: {body}, retry: {retry}'
