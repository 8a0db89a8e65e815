"""Chaos runs for jobhook (`scripts/chaos`, `scripts/kill-loop`): the real binary against the
simulator and a recording receiver, on loopback only, every process killed and every loop bounded
before the run ends. Python 3 standard library only, so the scripts run on a bare build machine.

One module per concern: `harness` (processes, config, memory), `receiver` (the webhook sink that can
refuse or fail), `timelines` (job scripts and the phase changes they must produce), `figures`
(inversions, repeats, the final report), `sampler` (memory and pending deliveries over time),
`sender` (which process sent a request), `postgres` (a throwaway PostgreSQL cluster for runs with
replicas), and one module per run."""
