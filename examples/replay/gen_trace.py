#!/usr/bin/env python3
"""Writes the sample trace examples/replay/shop-events.jsonl (deterministic).

Three hours of shop traffic, one request a second, with an incident from
1h30m to 1h50m: 20% of checkouts fail with 503 and 15% of searches are slow.
Usage: python3 gen_trace.py > shop-events.jsonl
"""
import json
import random
import sys

rng = random.Random(42)
out = sys.stdout
for second in range(3 * 3600):
    t = second + rng.random() * 0.999
    incident = 5400 <= t < 6600
    kind = rng.random()
    if kind < 0.3:
        status = 503 if rng.random() < (0.2 if incident else 0.0005) else 200
        event = {"t": round(t, 3), "method": "POST", "route": "/checkout", "status": status,
                 "latency_ms": round(rng.uniform(20, 120), 1)}
    elif kind < 0.6:
        status = 500 if rng.random() < 0.001 else (404 if rng.random() < 0.05 else 200)
        event = {"t": round(t, 3), "method": "GET", "route": "/cart/{id}", "status": status,
                 "latency_ms": round(rng.uniform(5, 40), 1)}
    else:
        slow = rng.random() < (0.15 if incident else 0.002)
        event = {"t": round(t, 3), "method": "GET", "route": "/search", "status": 200,
                 "latency_ms": round(rng.uniform(300, 900) if slow else rng.uniform(10, 200), 1)}
    out.write(json.dumps(event, separators=(",", ":")) + "\n")
