// The HTTP API (API/) and the CCE simulator (Simulator/), both on Hummingbird 2.
