"""receiver-down: the receiver refuses connections for the first half of the outage and answers 503
for the second, while jobs keep changing; then it comes back. Holds when every delivery (all within
`max_age`) arrives, each change under one webhook-id. Reports, without assuming what the dispatcher
does: order per receiver (inversions of creation order in arrival order, per job), peak pending,
RSS while >= 100,000 deliveries are pending, attempts per second during each half of the outage,
and the time to drain after recovery."""
import math, random, time

from . import harness, timelines
from .figures import Report, save_arrivals, delivery_rows, order_per_receiver, repeats
from .receiver import Receiver
from .sampler import Sampler

RECEIVERS = 4


def add_arguments(ap):
    ap.add_argument("--minutes", type=float, default=10, help="length of the outage (default 10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deliveries", type=int, help="deliveries made during the outage (default 10,000 per minute)")
    ap.add_argument("--subs", type=int, default=199, help="sub-jobs per job (default 199: 600 changes a job)")
    ap.add_argument("--drain-limit", type=float, help="seconds allowed to drain after recovery (default 60 per outage minute, at least 300)")


def run(args, command):
    rng = random.Random(args.seed)
    step, warmup = 5.0, 20.0  # each phase visible for 5 polls, even on a loaded machine
    outage = args.minutes * 60
    wanted = args.deliveries or int(10_000 * args.minutes)
    per_job = timelines.changes_per_job(args.subs) * RECEIVERS
    count = math.ceil(wanted / per_job)
    drain_limit = args.drain_limit or max(300.0, 60 * args.minutes)
    run_ = harness.Harness("receiver-down")
    receiver = Receiver(seed=args.seed)
    report = Report("receiver-down", command)
    sampler = None
    try:
        jobs, expected = [], set()
        latest_start = max(warmup, warmup + outage - timelines.last_step(0, step) - 5)
        for j in range(count):
            script, changes = timelines.job(f"rd-{j:04d}", round(rng.uniform(warmup, latest_start), 2), args.subs, step)
            jobs.append(script)
            expected |= {(f"/r{r}", uid, to) for r in range(RECEIVERS) for uid, to in changes}
        timelines.write_scenario(run_.path("scenario.json"), jobs)
        endpoint = run_.simulator(run_.path("scenario.json"))
        t0 = time.time()
        state, config, port = run_.path("state.sqlite"), run_.path("rules.yaml"), harness.free_port()
        retry = "{max_attempts: 100000, initial_backoff: 1s, max_backoff: 30s, max_age: 6h}"
        harness.write_config(config, endpoint=endpoint, state=state, jobs=[j["id"] for j in jobs], metrics_port=port,
                             receivers={f"r{r}": harness.generic_receiver(f"{receiver.url}/r{r}", retry) for r in range(RECEIVERS)})
        print(f"receiver-down: {count} jobs, {len(expected)} deliveries to {RECEIVERS} receivers, outage {outage:.0f} s, "
              f"work dir {run_.work}", flush=True)
        daemon = run_.daemon(config)
        sampler = Sampler(daemon.pid, state, port)
        time.sleep(max(0, t0 + warmup - time.time()))
        down_at = time.time()
        receiver.set_mode("refuse")
        print(f"  receiver refuses connections ({receiver.count()} delivered before)", flush=True)
        half = down_at + outage / 2
        while time.time() < half:
            time.sleep(5)
            print(f"  pending {sampler.latest().get('pending')}   rss {sampler.rss_mib()[-1:]} MiB", flush=True)
        receiver.set_mode("503")
        print("  receiver answers 503", flush=True)
        while time.time() < down_at + outage:
            time.sleep(5)
            print(f"  pending {sampler.latest().get('pending')}   rss {sampler.rss_mib()[-1:]} MiB", flush=True)
        refused_503 = receiver.refused
        up_at = time.time()
        receiver.set_mode("up")
        print(f"  receiver is back; draining (at most {drain_limit:.0f} s)", flush=True)
        drained_at = None
        while time.time() < up_at + drain_limit:
            time.sleep(1)
            if sampler.latest().get("pending") == 0 and sampler.latest().get("at", 0) > time.time() - 3:
                drained_at = time.time()
                break
        daemon_exit = daemon.poll()
        sampler.stop()
        harness.stop(daemon)
        rows = delivery_rows(state)
    finally:
        if sampler:
            sampler.stop()
        run_.close()
        receiver.close()

    arrivals = receiver.arrivals
    save_arrivals(run_.path("arrivals.jsonl"), arrivals)
    got = {(a.path, a.uid, a.to) for a in arrivals}
    # Lost: a delivery the store holds that never arrived. A change never recorded (its phase passed
    # between two polls) is unseen, reported apart: the receiver's outage cannot cause it.
    arrived_ids = {a.webhook_id for a in arrivals}
    lost = [r[0] for r in rows if r[0] not in arrived_ids]
    unseen = expected - got
    repeated, split = repeats(arrivals)
    by_receiver = {f"r{r}": [a for a in arrivals if a.path == f"/r{r}"] for r in range(RECEIVERS)}
    order = order_per_receiver(rows, by_receiver)
    pending = [s["pending"] for s in sampler.samples if s["pending"] is not None]
    over_100k = [s for s in sampler.samples if (s["pending"] or 0) >= 100_000]

    def rate(start, end):
        a = sampler.metric_at(start, "jobhook_delivery_attempts_total")
        b = sampler.metric_at(end, "jobhook_delivery_attempts_total")
        return round((b - a) / (end - start), 1) if a is not None and b is not None and end > start else None

    half = down_at + outage / 2
    rss = sampler.rss_mib([s for s in sampler.samples if s["at"] >= t0 + 10])  # past start-up
    report.set(deliveries=len(rows), changes_x_receivers=len(expected), unseen=len(unseen), received=len(arrivals), lost=len(lost), repeated=sum(len(c) - 1 for c in repeated.values()),
               changes_under_two_ids=len(split), dead=sum(1 for r in rows if r[4] == 'dead'), order=order,
               inversions_total=sum(o["inversions"] for o in order.values()),
               peak_pending=max(pending, default=0),
               rss_mib_at_100k_pending=max(sampler.rss_mib(over_100k), default=None),
               rss_mib_first_peak_last=[rss[0] if rss else None, max(rss, default=None), rss[-1] if rss else None],
               attempts_per_s_refused=rate(down_at + 5, half), attempts_per_s_503=rate(half + 5, up_at),
               answered_503=refused_503, drain_s=round(drained_at - up_at, 1) if drained_at else None,
               outage_s=round(outage), elapsed_s=round(time.time() - t0))
    report.check("the daemon ran throughout", daemon_exit is None, f"exit status {daemon_exit}")
    report.check("every delivery arrived (lost = 0)", not lost, f"{len(lost)} lost, first {lost[:5]}")
    report.check("no dead letters (every delivery within max_age)", not report.figures["dead"], f"{report.figures['dead']} dead")
    report.check("each change under one webhook-id", not split, f"{split[:5]}")
    report.check("drained within the limit", drained_at is not None, f"{len(lost)} still missing after {drain_limit:.0f} s")
    if args.minutes >= 10 and not args.deliveries:
        report.check(">= 100,000 deliveries pending at the peak", max(pending, default=0) >= 100_000,
                     f"peak {max(pending, default=0)}")
    f = report.figures
    report.finish([
        f"deliveries: {len(rows)} ({len(unseen)} of {len(expected)} changes x receivers unseen)   received: {len(arrivals)}   "
        f"lost: {len(lost)}   repeated: {f['repeated']}",
        f"peak pending: {f['peak_pending']}   RSS at >= 100,000 pending: {f['rss_mib_at_100k_pending']} MiB   "
        f"RSS first/peak/last: {f['rss_mib_first_peak_last']} MiB",
        f"attempts/s while refused: {f['attempts_per_s_refused']}   while 503: {f['attempts_per_s_503']}   "
        f"drain after recovery: {f['drain_s']} s",
        "order (inversions of creation order in arrival order, summed over jobs): " + ", ".join(
            f"{r}: {o['inversions']} in {o['jobs_out_of_order']}/{o['jobs']} jobs (worst {o['worst_job']})" for r, o in order.items()),
    ])
