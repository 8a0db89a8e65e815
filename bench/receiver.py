"""A local webhook receiver that is never the bottleneck: a raw asyncio HTTP/1.1 server (keep-alive)
that answers every POST with 204 and records its arrival time, path and body.

    receiver.py            prints "listening PORT", then serves until killed
    GET /stats             {"count": N}
    GET /dump              JSON list of [arrival_unix_seconds, path, body_text] (and clears it)"""
import asyncio
import json
import sys
import time

records = []


class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            lines = head.split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            method, path = lines[0].split(" ")[:2]
            if method == "POST":
                records.append((time.time(), path, body.decode("utf-8", "replace")))
                self.transport.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            elif path == "/stats":
                self.reply(json.dumps({"count": len(records)}).encode())
            elif path == "/dump":
                text = json.dumps(records).encode()
                records.clear()
                self.reply(text)
            else:
                self.transport.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    def reply(self, body):
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % len(body) + body)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", 0, backlog=1024)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
