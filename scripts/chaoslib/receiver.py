"""The webhook sink of a chaos run. It records every request it answers 200 (arrival order, time,
`webhook-id`, path, body), and can be told to misbehave as a receiver does in an outage: refuse
connections (listener closed, open connections dropped) or answer 503."""
import http.server, json, random, socket, socketserver, threading, time

from .sender import sender


class Arrival:
    __slots__ = ("seq", "at", "webhook_id", "path", "uid", "to", "sender")

    def __init__(self, seq, at, webhook_id, path, uid, to, sender=None):
        self.seq, self.at, self.webhook_id, self.path, self.uid, self.to = seq, at, webhook_id, path, uid, to
        self.sender = sender  # the daemon's pid when `Receiver.sender_pid` is set and it sent this


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A sender killed mid-request (the point of a kill loop) resets its connection: not news."""
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class Receiver:
    """`mode` is "up" (200), "503", or "refuse". `latency` is a range of seconds each 200 waits before
    answering: a window in which a kill or a full disk catches the request in flight."""

    def __init__(self, latency=(0.0, 0.0), seed=1):
        self.arrivals = []
        self.refused = 0          # requests answered 503 (connection refusals are not seen here)
        self.mode = "up"
        self.latency = latency
        self.lock = threading.Lock()
        self.random = random.Random(seed)
        self.connections = set()
        self.sender_pid = None  # set by a kill loop to the running daemon's pid: arrivals note whether it sent them
        self.port = None
        self._server = None
        self._open()

    # -- the outage switch -------------------------------------------------------------------------

    def set_mode(self, mode):
        """Switches behaviour; "refuse" closes the listener and drops every open connection, so
        the next attempt meets ECONNREFUSED, and leaving it listens again on the same port."""
        if mode == "refuse" and self._server:
            self._close()
        elif mode != "refuse" and not self._server:
            self._open(self.port)
        self.mode = mode

    def close(self):
        if self._server:
            self._close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def count(self):
        with self.lock:
            return len(self.arrivals)

    # -- serving ------------------------------------------------------------------------------------

    def _open(self, port=0):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with owner.lock:
                    owner.connections.add(self.connection)

            def finish(self):
                with owner.lock:
                    owner.connections.discard(self.connection)
                super().finish()

            def do_POST(self):
                arrived = time.time()  # before the latency: a kill during it still counts as sent
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sent_by = sender(self.client_address[1], owner.sender_pid) if owner.sender_pid else None
                if owner.mode != "up":
                    with owner.lock:
                        owner.refused += 1
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                low, high = owner.latency
                if high > 0:
                    time.sleep(owner.random.uniform(low, high))
                doc = json.loads(body)
                with owner.lock:
                    owner.arrivals.append(Arrival(len(owner.arrivals), arrived, self.headers.get("webhook-id"),
                                                  self.path, doc.get("uid"), doc.get("to"), sent_by))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        for attempt in range(50):  # the old listener's port may linger for a moment after close
            try:
                self._server = _Server(("127.0.0.1", port), Handler)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"cannot listen on 127.0.0.1:{port} again")
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _close(self):
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        with self.lock:
            open_now = list(self.connections)
        for conn in open_now:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
