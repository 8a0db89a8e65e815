"""What the benchmark asks of jobhook: scenario files for the simulator (N CreateCluster jobs, each
a typical tree with three sub-jobs that stays Running) and `jobhook run` configs."""
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
            "cluster_id": str(uuid.UUID(int=(run << 100) | (i << 8) | 0xff)),
            "timeline": [{"after": "0s", "phase": "Running", "subjobs": subjobs(run, i)}],
        })
    return json.dumps({"project_id": "0a1b2c3d4e5f", "speed": 1, "jobs": jobs}, indent=None)


def config(*, endpoint, jobs, interval, max_rps, concurrency, state, listen, receivers, rules):
    """`jobhook run` config (JSON is YAML): token auth, as with an IAM token (no per-request signing)."""
    return json.dumps({
        "cce": {"region": "cn-north-4", "endpoint": endpoint, "project_id": "0a1b2c3d4e5f",
                "auth": {"token": "bench-token"}, "timeout": "10s"},
        "poll": {"interval": interval, "concurrency": concurrency, "max_rps": max_rps, "job_timeout": "6h"},
        "watch": {"jobs": list(jobs)},
        "state": {"path": state},
        "server": {"listen": listen},
        "receivers": receivers,
        "rules": rules,
    }, indent=1)


def receiver(name, url, body):
    return {"name": name, "url": url, "body": body, "timeout": "10s",
            "retry": {"max_attempts": 5, "initial_backoff": "1s", "max_backoff": "10s"}}


def rule(name, match, notify):
    return {"name": name, "match": match, "notify": notify}
