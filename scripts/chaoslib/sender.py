"""Which process sent a request: the receiver asks the kernel who owns the other end of its TCP
connection (/proc/net/tcp gives the socket's inode, /proc/PID/fd names its owner). A kill loop uses
it to tell a repeat caused by a kill (the copy came from a daemon since killed) from one daemon
sending a webhook twice — arrival times alone cannot, since a handler may run after the kill."""
import os


def socket_inode(local_port):
    """The inode of the loopback socket bound to `local_port` (the sender's side), or None."""
    want = f":{local_port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[1].endswith(want) and fields[1].startswith("0100007F"):
                    return fields[9] if fields[9] != "0" else None
    except OSError:
        return None


def owns(pid, inode):
    """Whether process `pid` holds socket `inode` open."""
    target = f"socket:[{inode}]"
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return True
            except OSError:
                pass
    except OSError:
        pass
    return False


def sender(peer_port, candidates):
    """The candidate pid (one, or a list: replicas) that sent from `peer_port`, else None (another or
    a dead process)."""
    inode = socket_inode(peer_port)
    if not inode:
        return None
    for pid in candidates if isinstance(candidates, (list, tuple)) else [candidates]:
        if pid and owns(pid, inode):
            return pid
    return None
