"""The peer a user would write on the official SDK: ShowJob per job through CceClient, each job every
INTERVAL seconds, and the phase diff of the job and its sub-jobs in Python. Runs until killed.

    sdk_loop.py ENDPOINT PROJECT INTERVAL_SECONDS < job-ids (one per line)

The simulator accepts unauthenticated requests, so the AK/SK below only make the SDK sign as it
would against CCE (the signing is part of what a poll costs there)."""
import sys
import time

from huaweicloudsdkcce.v3 import CceClient, ShowJobRequest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig


def phases(job):
    """uid -> phase for the job and every nested sub-job."""
    found = {job.metadata.uid: job.status.phase if job.status else None}
    stack = list((job.spec.sub_jobs or []) if job.spec else [])
    while stack:
        sub = stack.pop()
        found[sub.metadata.uid] = sub.status.phase if sub.status else None
        stack.extend((sub.spec.sub_jobs or []) if sub.spec else [])
    return found


def main():
    endpoint, project, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ids = [line.strip() for line in sys.stdin if line.strip()]
    config = HttpConfig.get_default_config()
    client = (CceClient.new_builder().with_http_config(config)
              .with_credentials(BasicCredentials("BENCHAKEXAMPLE00000", "bench-secret-key-example", project))
              .with_endpoint(endpoint).build())
    known = {}
    changes = 0
    start = time.monotonic()
    per = interval / len(ids)
    round_no = 0
    while True:
        for i, job_id in enumerate(ids):
            wait = start + round_no * interval + i * per - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            job = client.show_job(ShowJobRequest(job_id=job_id))
            for uid, phase in phases(job).items():
                if known.get(uid) != phase:
                    known[uid] = phase
                    changes += 1
        round_no += 1


if __name__ == "__main__":
    main()
