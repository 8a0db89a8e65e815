"""What the benchmark asks of jobhook: scenario files for the simulator (N CreateCluster jobs, each
a typical tree with three sub-jobs that stays Running; for discovery also node jobs spread over a few
clusters, finished jobs, a forbidden ListJobs) and `jobhook run` configs."""
import json
import uuid

SUBJOBS = (("InstallMaster", "Running"), ("CreateNodes", "Running"), ("InstallAddons", "Init"))


def job_id(run, i):
    """UUID-shaped like CCE's job IDs, so bodies and URLs have the real sizes."""
    return str(uuid.UUID(int=(run << 100) | (i << 8)))


def subjob_id(run, i, k):
    return str(uuid.UUID(int=(run << 100) | (i << 8) | (k + 1)))


def subjobs(run, i, phase=None):
    return [{"id": subjob_id(run, i, k), "type": kind, "phase": phase or start}
            for k, (kind, start) in enumerate(SUBJOBS)]


def scenario(run, count):
    """JSON (which is YAML) for `jobhook simulate`: `count` jobs, Running from the start."""
    jobs = []
    for i in range(count):
        jobs.append({
            "id": job_id(run, i), "type": "CreateCluster", "resource_name": f"bench-{i}",
            "cluster_id": cluster_id(run, i),
            "timeline": [{"after": "0s", "phase": "Running", "subjobs": subjobs(run, i)}],
        })
    return json.dumps({"project_id": "0a1b2c3d4e5f", "speed": 1, "jobs": jobs}, indent=None)


def cluster_id(run, i):
    return str(uuid.UUID(int=(run << 100) | (i << 8) | 0xff))


def discovery_job(run, i, clusters=None, phase="Running"):
    """One scenario `jobs:` entry for discovery. Without `clusters` it is CreateCluster job i on its own
    cluster (as `scenario` makes them); with `clusters` = k, jobs 0..k-1 are the CreateCluster jobs of k
    clusters and every later job is a CreateNode job on cluster i % k (its node `node-<job id>`), so
    ListNodes has k clusters to walk however many jobs there are. `phase` Success: a finished job."""
    own = clusters is None or i < clusters
    kind = "CreateCluster" if own else "CreateNode"
    done = phase in ("Success", "Failed")
    return {"id": job_id(run, i), "type": kind, "resource_name": f"bench-{i}",
            "cluster_id": cluster_id(run, i if own else i % clusters),
            "timeline": [{"after": "0s", "phase": phase, "subjobs": subjobs(run, i, phase if done else None)}]}


def discovery_scenario(run, count, clusters=None, phase="Running", list_jobs="served"):
    """`count` jobs for `discover:` (see `discovery_job`); `list_jobs: forbidden` makes ListJobs answer
    403, as for credentials without cce:job:list, so `via: auto` falls back to clusters and nodes."""
    jobs = [discovery_job(run, i, clusters, phase) for i in range(count)]
    return json.dumps({"project_id": "0a1b2c3d4e5f", "speed": 1, "list_jobs": list_jobs, "jobs": jobs}, indent=None)


def config(*, endpoint, jobs, interval, max_rps, concurrency, state, listen, receivers, rules, discover=None, extra=None,
           postgres=None):
    """`jobhook run` config (JSON is YAML): token auth, as with an IAM token (no per-request signing).
    `discover`: the `discover:` section (e.g. {"interval": "5s", "via": "jobs"}), none by default.
    `postgres`: a database URL for `state.postgres`, in place of the SQLite file `state`."""
    extra = dict(extra or {})
    if discover is not None:
        extra["discover"] = discover
    return json.dumps({
        "cce": {"region": "cn-north-4", "endpoint": endpoint, "project_id": "0a1b2c3d4e5f",
                "auth": {"token": "bench-token"}, "timeout": "10s"},
        "poll": {"interval": interval, "concurrency": concurrency, "max_rps": max_rps, "job_timeout": "6h"},
        "watch": {"jobs": list(jobs)},
        "state": {"postgres": {"url": postgres}} if postgres else {"path": state},
        "server": {"listen": listen},
        "receivers": receivers,
        "rules": rules,
        **extra,
    }, indent=1)


def receiver(name, url, body):
    return {"name": name, "url": url, "body": body, "timeout": "10s",
            "retry": {"max_attempts": 5, "initial_backoff": "1s", "max_backoff": "10s"}}


def rule(name, match, notify):
    return {"name": name, "match": match, "notify": notify}
