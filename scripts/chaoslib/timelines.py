"""Job scripts for the simulator and the phase changes they must produce. Every job is a root and
`subs` sub-jobs walking Initializing → Running → Success; the root is queryable (Initializing) from
the scenario's start, like a real job, so its first change is always seen."""
import json


def job(jid, start, subs, step, job_type="CreateNode"):
    """A job whose tree moves at `start`, `start+step`, … (seconds); returns (script, changes)."""
    names = [f"{jid}-s{k}" for k in range(subs)]
    steps = [("Running", "Initializing"), ("Running", "Running"), ("Running", "Success"), ("Success", "Success")]
    timeline = [{"after": "0ms", "phase": "Initializing"}]
    for n, (root_phase, sub_phase) in enumerate(steps):
        timeline.append({"after": f"{int((start + n * step) * 1000)}ms", "phase": root_phase,
                         "subjobs": [{"id": s, "type": "InstallNode", "phase": sub_phase} for s in names]})
    changes = set()
    for uid in [jid] + names:
        changes |= {(uid, "Initializing"), (uid, "Running"), (uid, "Success")}
    return {"id": jid, "type": job_type, "timeline": timeline}, changes


def changes_per_job(subs):
    return 3 * (1 + subs)


def last_step(start, step):
    """When a job made with `job(…, start, …, step)` reaches Success."""
    return start + 3 * step


def write_scenario(path, jobs, **extra):
    with open(path, "w") as f:
        json.dump({"project_id": "p1", "jobs": jobs, **extra}, f)


def scheduled_at(uid, to, start, step):
    """Seconds into the scenario at which a change of `job(jid, start, …, step)` happens: the root
    is Initializing at 0 and moves at start and start+3·step; sub-jobs at start, +step, +2·step."""
    if not uid.rsplit("-", 1)[-1].startswith("s"):  # the root; sub-jobs are <root>-s<k>
        return {"Initializing": 0.0, "Running": start, "Success": start + 3 * step}[to]
    return {"Initializing": start, "Running": start + step, "Success": start + 2 * step}[to]
