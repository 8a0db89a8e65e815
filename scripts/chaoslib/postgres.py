"""A throwaway PostgreSQL cluster for a chaos run with replicas (`kill-loop --replicas 2`): initdb in
a temporary directory, a free loopback port, trust authentication, fsync off; as root the server
runs as the system user `jobhook-pg` (PostgreSQL refuses root), as the test harness does. `close()`
stops it and removes the directory."""
import glob, os, shutil, subprocess, tempfile

from .harness import free_port

OS_USER = "jobhook-pg"
PREFIX = "jobhook-pg-chaos-"


def remove_stale(bin_dir):
    """Clusters of runs that were killed before `close()` (a benchmark killed at its timeout): the
    server outlives them, detached. Stopped and removed when their creating process is gone."""
    for path in glob.glob(f"/tmp/{PREFIX}*"):
        pid = os.path.basename(path)[len(PREFIX):].split("-")[0]
        if not pid.isdigit() or os.path.exists(f"/proc/{pid}"):
            continue
        if os.path.exists(os.path.join(path, "data", "postmaster.pid")):
            user = OS_USER if os.geteuid() == 0 else None
            subprocess.run([os.path.join(bin_dir, "pg_ctl"), "-D", os.path.join(path, "data"), "-m", "immediate", "-w", "-t", "10",
                            "stop"], capture_output=True, user=user, cwd="/tmp", timeout=30)
        shutil.rmtree(path, ignore_errors=True)


def binaries():
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]), reverse=True)
    if not versions:
        raise SystemExit("PostgreSQL is not installed (no initdb); run scripts/ensure-deps")
    return os.path.dirname(versions[0])


class Postgres:
    def __init__(self, database="jobhook"):
        self.bin = binaries()
        remove_stale(self.bin)
        self.dir = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir="/tmp")
        self.data = os.path.join(self.dir, "data")
        self.user = None
        if os.geteuid() == 0:
            if subprocess.run(["id", "-u", OS_USER], capture_output=True).returncode != 0:
                subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER], check=True)
            subprocess.run(["chown", "-R", OS_USER, self.dir], check=True)
            self.user = OS_USER
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
                  "--no-instructions")
        self.port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "30", "-o", options, "start")
        self.url = self.create_database(database)
        self.database = database

    def create_database(self, name):
        """A new empty database on the cluster; its URL."""
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-q",
                  "-c", f"CREATE DATABASE {name}")
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def _run(self, program, *args):
        result = subprocess.run([os.path.join(self.bin, program), *args], capture_output=True, text=True, user=self.user,
                                cwd="/tmp", timeout=60)
        if result.returncode != 0:
            raise SystemExit(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def size(self):
        """The database's size in bytes."""
        out = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", self.database, "-tA",
                        "-c", f"SELECT pg_database_size('{self.database}')")
        return int(out.strip() or 0)

    def close(self):
        subprocess.run([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "-t", "10", "stop"],
                       capture_output=True, user=self.user, cwd="/tmp", timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)
