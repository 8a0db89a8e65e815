"""storm: CCE answers for `--minutes` with 30 % 5xx, 10 % 429 with Retry-After, 5 % cut bodies and
20 % slow answers (the simulator's `storm:`), while jobs move to Success. Holds when the daemon never
exits, never sees a 401 (the credentials are good: a lockout would be our bug), every job's Success
arrives, nothing arrives twice, and resident memory stays flat (last sample within 25 % + 5 MiB of
the first minute's). Intermediate phases shorter than the throttled poll interval can go unseen
(that is polling, not loss): they are reported, not judged; so is the poll rate the storm leaves."""
import random, time

from . import harness, timelines
from .figures import Report, save_arrivals, repeats
from .receiver import Receiver
from .sampler import Sampler


def add_arguments(ap):
    ap.add_argument("--minutes", type=float, default=10, help="length of the storm (default 10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=60, help="jobs, each with --subs sub-jobs (default 60)")
    ap.add_argument("--subs", type=int, default=3)
    ap.add_argument("--server-errors", type=float, default=0.30)
    ap.add_argument("--throttled", type=float, default=0.10)
    ap.add_argument("--truncated", type=float, default=0.05)
    ap.add_argument("--slow", type=float, default=0.20)
    ap.add_argument("--delay", default="100ms,3s", help="slow answers' range (default 100ms,3s)")


def run(args, command):
    rng = random.Random(args.seed)
    step = 20.0  # slower than a poll under throttling: each step stays visible long enough to be seen
    duration = args.minutes * 60
    run_ = harness.Harness("storm")
    receiver = Receiver(seed=args.seed)
    report = Report("storm", command)
    sampler = None
    min_delay, max_delay = args.delay.split(",")
    try:
        jobs, expected = [], set()
        latest_start = max(5.0, duration - timelines.last_step(0, step) - 30)
        for j in range(args.jobs):
            script, changes = timelines.job(f"st-{j:03d}", round(rng.uniform(5, latest_start), 2), args.subs, step)
            jobs.append(script)
            expected |= changes
        storm = {"seed": args.seed, "server_errors": args.server_errors, "throttled": args.throttled,
                 "retry_after": "1s", "truncated": args.truncated, "slow": args.slow,
                 "min_delay": min_delay, "max_delay": max_delay}
        timelines.write_scenario(run_.path("scenario.json"), jobs, storm=storm, auth={"token": "storm-token"})
        endpoint = run_.simulator(run_.path("scenario.json"))
        t0 = time.time()
        state, config, port = run_.path("state.sqlite"), run_.path("rules.yaml"), harness.free_port()
        harness.write_config(config, endpoint=endpoint, state=state, jobs=[j["id"] for j in jobs], metrics_port=port,
                             auth="{token: storm-token}", poll="{interval: 2s, concurrency: 16}",
                             receivers={"sink": harness.generic_receiver(
                                 receiver.url + "/hook", "{max_attempts: 50, initial_backoff: 200ms, max_backoff: 5s, max_age: 2h}")})
        print(f"storm: {args.jobs} jobs ({len(expected)} phase changes) for {duration:.0f} s: {storm}; work dir {run_.work}",
              flush=True)
        daemon = run_.daemon(config, log_level="warning")
        sampler = Sampler(daemon.pid, None, port, every=5.0)
        finish_by = t0 + duration + 120  # the last Success may need a few more polls through the storm
        while time.time() < finish_by:
            time.sleep(5)
            if daemon.poll() is not None:
                break
            got = {(a.uid, a.to) for a in list(receiver.arrivals)}
            succeeded = {uid for uid, to in got if to == "Success" and uid.count("-") == 1}
            if time.time() > t0 + duration and len(succeeded) == args.jobs:
                break
            if int(time.time() - t0) % 60 < 5:
                print(f"  {time.time() - t0:.0f} s: {len(got)}/{len(expected)} changes delivered, rss {sampler.rss_mib()[-1:]} MiB",
                      flush=True)
        daemon_exit = daemon.poll()
        sampler.stop()
        final = harness.metrics(port)
        storm_stats = _sim_stats(endpoint)
        harness.stop(daemon)
    finally:
        if sampler:
            sampler.stop()
        run_.close()
        receiver.close()

    arrivals = receiver.arrivals
    save_arrivals(run_.path("arrivals.jsonl"), arrivals)
    got = {(a.uid, a.to) for a in arrivals}
    unseen = expected - got
    successes = {uid for uid, to in got if to == "Success" and uid.count("-") == 1}
    repeated, split = repeats(arrivals)
    rss = sampler.rss_mib([s for s in sampler.samples if s["at"] >= t0 + 10])  # past start-up
    first_minute = sampler.rss_mib([s for s in sampler.samples if s["at"] < t0 + 60]) or rss[:1]
    baseline = max(first_minute, default=0)
    polls = {o: harness.metric_sum(final, "jobhook_polls_total", outcome=o) for o in ("ok", "not_found", "auth", "throttled", "error")}
    auth_failures = harness.metric_sum(final, "jobhook_auth_failures_total")
    with open(run_.log_path) as f:
        log = f.read()
    elapsed = time.time() - t0
    report.set(jobs=args.jobs, phase_changes=len(expected), delivered_changes=len(got & expected), unseen=len(unseen),
               cce_requests_per_s=round((storm_stats.get("requests") or 0) / elapsed, 2),
               polls_per_s_configured=round(args.jobs / 2.0, 1),
               jobs_succeeded=len(successes), repeated=sum(len(c) - 1 for c in repeated.values()),
               polls=polls, auth_failures=auth_failures, lockout_lines_in_log=log.count("rejected the credentials"),
               credentials_blocked=harness.metric_sum(final, "jobhook_cce_credentials_blocked"),
               simulator=storm_stats, rss_mib_first_peak_last=[rss[0] if rss else None, max(rss, default=None), rss[-1] if rss else None],
               storm_s=round(duration), elapsed_s=round(elapsed))
    report.check("no crash (the daemon ran throughout)", daemon_exit is None, f"exit status {daemon_exit}")
    report.check("no 401 and no lockout", polls["auth"] == 0 and auth_failures == 0 and not f_blocked(report, log),
                 f"polls auth={polls['auth']}, auth failures={auth_failures}, blocked={report.figures['credentials_blocked']}")
    report.check("every job's Success arrived (polling went on)", len(successes) == args.jobs, f"{len(successes)}/{args.jobs}")
    report.check("nothing arrived twice", not repeated, f"{list(repeated)[:5]}")
    report.check("RSS flat (last <= first minute's peak x 1.25 + 5 MiB)", rss and rss[-1] <= baseline * 1.25 + 5,
                 f"first minute {baseline}, last {rss[-1] if rss else None} MiB")
    f = report.figures
    report.finish([
        f"storm {duration:.0f} s: polls {polls}; simulator spoiled {storm_stats.get('storm')}",
        f"jobs succeeded: {len(successes)}/{args.jobs}   phase changes delivered: {f['delivered_changes']}/{len(expected)}   "
        f"unseen intermediate phases: {len(unseen)}   repeated: {f['repeated']}   CCE requests/s: {f['cce_requests_per_s']}"
        f" (at most {f['polls_per_s_configured']}/s asked for by the poll interval)",
        f"401s: {polls['auth']:.0f}   auth failures: {auth_failures:.0f}   RSS first/peak/last: {f['rss_mib_first_peak_last']} MiB",
    ])


def f_blocked(report, log):
    """Whether the daemon blocked its credentials at any time (gauge now, or its log line)."""
    return report.figures["credentials_blocked"] != 0 or "rejected the credentials" in log


def _sim_stats(endpoint):
    import json, urllib.request
    try:
        with urllib.request.urlopen(endpoint + "/sim/stats", timeout=5) as r:
            stats = json.loads(r.read())
        return {"requests": stats.get("total"), "storm": stats.get("storm")}
    except OSError:
        return {}
