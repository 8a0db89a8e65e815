"""Processes and HTTP for the benchmark: start/stop children, read the kernel's CPU and memory
accounting for one process, small JSON calls. Standard library only."""
import http.client
import ctypes
import json
import math
import os
import signal
import socket
import subprocess
import threading
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of one process (not its children), from /proc/PID/stat, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat(5)


def context_switches(pid):
    """Voluntary + involuntary context switches over every thread of one process (/proc/PID/task)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                total += sum(int(line.split()[1]) for line in f
                             if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total


def memory_kb(pid, key="VmHWM"):
    """A VmHWM/VmRSS line of /proc/PID/status, in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child before exec: SIGTERM when the harness dies, even by SIGKILL (no strays); and
    SIGTERM/SIGINT back to their defaults and no signal blocked, since ignored and blocked signals
    are inherited across exec (a test runner that blocks SIGTERM would make every stop wait for its
    timeout)."""
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Child:
    """A child process whose output goes to a log file; `wait_for` scans the log for a line."""

    def __init__(self, name, argv, log_dir, stdin_text=None, env=None):
        self.name = name
        self.log_path = os.path.join(log_dir, name + ".log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
                                     env=env, preexec_fn=_die_with_parent)
        if stdin_text is not None:
            self.proc.stdin.write(stdin_text.encode())
            self.proc.stdin.close()

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def output(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.output().splitlines():
                if text in line:
                    return line
            if not self.alive():
                break
            time.sleep(0.05)
        raise BenchError(f"{self.name} did not print {text!r} within {timeout}s:\n{self.tail()}")

    def tail(self, lines=20):
        return "\n".join(self.output().splitlines()[-lines:])

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.alive():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()
        return self.proc.returncode


class BenchError(Exception):
    pass


class Client:
    """One kept-alive HTTP connection to a local server, for JSON calls."""

    def __init__(self, port, timeout=30):
        self.port = port
        self.timeout = timeout
        self.conn = None
        self.lock = threading.Lock()

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        with self.lock:
            for attempt in (1, 2):
                try:
                    if self.conn is None:
                        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                    self.conn.request(method, path, body=data, headers=headers)
                    response = self.conn.getresponse()
                    text = response.read()
                    if response.status >= 400:
                        raise BenchError(f"{method} {path}: HTTP {response.status}: {text[:200]!r}")
                    return json.loads(text) if text else None
                except (OSError, http.client.HTTPException):
                    self.close()
                    if attempt == 2:
                        raise

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body):
        return self.call("POST", path, body)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def wait_until(predicate, timeout, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise BenchError(f"timed out after {timeout}s waiting for {what}")


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))  # nearest rank
    return ordered[rank - 1]
