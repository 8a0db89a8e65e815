// The HTTP API (API/), the daemon (Daemon/) and the demo receiver (Demo/), on Hummingbird 2.
