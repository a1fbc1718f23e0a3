#!/usr/bin/env python3
"""The soak behind scripts/soak.sh: the shop demo under wrk at full speed,
first with every peer healthy, then with its peers failing, then killed
with SIGKILL and restarted on its state file.

Peers, all real: Prometheus scrapes /metrics every second; rotel (an OTLP
collector) takes the demo's pushes every second; an Alertmanager takes its
alerts. In the faulted run the collector is killed for 15 s of every 30 s
and the Alertmanager is frozen (SIGSTOP: it accepts connections and never
answers) for 10 s of every 20 s, so half the time.

The demo fails 5% of requests on every route (503) but makes none slow:
wrk corrects its latencies for coordinated omission, adding samples for
every slow request, so a few 400 ms requests would set the p99 by
themselves and hide what the peers do to the others.

The soak fails unless, in both runs:
  - every request wrk sent on a measured route is counted exactly once:
    per SLO, good + bad (/slo) + excluded (/metrics) = wrk's count; the
    only requests excluded are those wrk left unanswered when it stopped;
    /slo's totals equal /metrics' counters;
  - resident memory stays within 10% of its size at the end of warm-up;
  - the log holds no panic;
and unless the faulted run's p99 latency is within 10% of the healthy
run's, and after SIGKILL and a restart on the state file every SLO's
totals are those of the last state write.

Environment: SOAK_SECONDS (each run's length; default 600),
SOAK_CONNECTIONS (wrk's connections; default 48), SOAK_KEEP=1 keeps the
work directory. Needs wrk, prometheus, prometheus-alertmanager and
rotel (pip install --pre rotel); the demo is built by scripts/soak.sh.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "target", "release", "shop-demo")
MIX = os.path.join(ROOT, "scripts", "soak", "mix.lua")
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
CONNECTIONS = int(os.environ.get("SOAK_CONNECTIONS", "48"))
# The demo's SLOs and the wrk counter of the requests each measures.
SLOS = {
    "checkout-availability": "SENT_CHECKOUT",
    "cart-availability": "SENT_CART",
    "search-latency": "SENT_SEARCH",
}
STATE_EVERY = 2
RSS_TOLERANCE = 0.10
P99_TOLERANCE = 0.10

work = tempfile.mkdtemp(prefix="slo-soak-")
processes = []
failures = []


def say(message):
    print(f"soak: {message}", flush=True)


def fail(message):
    failures.append(message)
    say(f"FAIL: {message}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"soak: {what} did not listen on {port} within {timeout} s")


def spawn(name, args):
    log = open(os.path.join(work, f"{name}.log"), "ab")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    processes.append(process)
    return process


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGCONT)
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(url, accept="application/json"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()


def rotel_agent():
    out = subprocess.run(
        [sys.executable, "-c",
         "import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))"],
        capture_output=True, text=True)
    path = out.stdout.strip()
    if out.returncode != 0 or not os.path.exists(path):
        raise SystemExit("soak: rotel is not installed (python3 -m pip install --pre rotel)")
    return path


class Collector:
    """rotel on a fixed port, which can be killed and started again; it logs
    a line for each push it receives, which says whether the demo's
    exporter came back to each new instance."""

    def __init__(self, name):
        self.name = name
        self.log = os.path.join(work, f"{name}.log")
        self.grpc = free_port()
        self.http = free_port()
        self.agent = rotel_agent()
        self.process = None
        self.offset = 0
        self.pushes = []  # pushes received by each instance, once it stopped

    def start(self):
        self.offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        self.process = spawn(self.name, [
            self.agent, "start",
            "--otlp-grpc-endpoint", f"127.0.0.1:{self.grpc}",
            "--otlp-http-endpoint", f"127.0.0.1:{self.http}",
            "--exporter", "blackhole", "--debug-log", "metrics", "--debug-log-verbosity", "basic"])
        wait_port(self.grpc, "rotel")
        self.started_at = time.monotonic()

    def received(self):
        with open(self.log, "rb") as f:
            f.seek(self.offset)
            return f.read().count(b"Received metrics")

    def kill(self):
        stop(self.process, signal.SIGKILL)
        self.pushes.append(self.received())


def alertmanager(name):
    port = free_port()
    directory = os.path.join(work, name)
    os.makedirs(directory)
    config = os.path.join(directory, "alertmanager.yml")
    with open(config, "w") as f:
        f.write("route: {receiver: nowhere}\nreceivers:\n  - name: nowhere\n")
    process = spawn(name, [
        "prometheus-alertmanager", f"--config.file={config}",
        f"--storage.path={os.path.join(directory, 'data')}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
        "--log.level=warn"])
    wait_port(port, "Alertmanager")
    return process, port


def prometheus(name, demo_port):
    port = free_port()
    directory = os.path.join(work, name)
    os.makedirs(directory)
    config = os.path.join(directory, "prometheus.yml")
    with open(config, "w") as f:
        f.write("global: {scrape_interval: 1s}\nscrape_configs:\n"
                f"  - job_name: shop\n    static_configs: [{{targets: ['127.0.0.1:{demo_port}']}}]\n")
    process = spawn(name, [
        "prometheus", f"--config.file={config}",
        f"--storage.tsdb.path={os.path.join(directory, 'data')}",
        f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
    wait_port(port, "Prometheus")
    return process, port


def pinned_spec():
    """The demo's shop.yaml with checkout and its purchase journey's other
    steps on a rolling 30d period and without the nightly maintenance
    window, as the demo's tests pin it: the soak checks that every request
    is counted, which a run at 02:00 UTC (the window) or across a month's
    end in Berlin would not see."""
    with open(os.path.join(ROOT, "examples", "shop-demo", "shop.yaml")) as f:
        shipped = f.read()
    calendar = "    period: calendar month\n"
    if shipped.count(calendar) != 3:
        fail("shop.yaml: the calendar months (checkout's and its journey's steps') are not where the soak expects them")
    kept, in_maintenance = [], False
    for line in shipped.replace(calendar, "    period: 30d\n").splitlines():
        if line.lstrip().startswith("maintenance:"):
            while kept and kept[-1].lstrip().startswith("#"):
                kept.pop()
            in_maintenance = True
        elif not (in_maintenance and line.startswith("      ")):
            in_maintenance = False
            kept.append(line)
    path = os.path.join(work, "shop.yaml")
    with open(path, "w") as f:
        f.write("\n".join(kept) + "\n")
    return path


def demo(name, port, state, collector, alertmanager_port):
    process = spawn(name, [
        DEMO, "--listen", f"127.0.0.1:{port}", "--no-load", "--spec", pinned_spec(),
        "--error-rate", "0.05",
        "--state-file", state, "--state-every", f"{STATE_EVERY}s",
        "--otlp-endpoint", f"http://127.0.0.1:{collector.grpc}", "--otlp-interval", "1s",
        "--alertmanager", f"http://127.0.0.1:{alertmanager_port}",
        "--alertmanager-interval", "2s", "--report-every", "10s"])
    wait_port(port, "the demo")
    return process


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def every(stop_event, period, action):
    """Runs `action(n)` every `period` seconds until `stop_event` is set."""
    n = 0
    while not stop_event.wait(period):
        action(n)
        n += 1


def totals(port):
    document = json.loads(get(f"http://127.0.0.1:{port}/slo"))
    return {slo["name"]: slo["events"] for slo in document["slos"] if slo["name"] in SLOS}


def counters(port):
    """slo_events_total and slo_excluded_events_total per SLO, from /metrics."""
    text = get(f"http://127.0.0.1:{port}/metrics", accept="text/plain")
    out = {name: {"good": 0, "bad": 0, "excluded": 0} for name in SLOS}
    for line in text.splitlines():
        m = re.match(r'(slo_events_total|slo_excluded_events_total)\{(.*)\} (\S+)', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        if labels.get("slo") not in out:
            continue
        key = labels.get("outcome", "excluded") if m.group(1) == "slo_events_total" else "excluded"
        # Excluded events come per reason (client_cancelled, maintenance):
        # they add up.
        out[labels["slo"]][key] += int(float(m.group(3)))
    return out


def run(name, faulty):
    say(f"{name}: {SECONDS} s of wrk ({CONNECTIONS} connections)"
        + (", collector down 15 s of every 30, Alertmanager frozen 10 s of every 20" if faulty
           else ", every peer healthy"))
    collector = Collector(f"{name}-rotel")
    collector.start()
    am, am_port = alertmanager(f"{name}-alertmanager")
    port = free_port()
    state = os.path.join(work, f"{name}.slo-state")
    shop = demo(f"{name}-demo", port, state, collector, am_port)
    prom, _ = prometheus(f"{name}-prometheus", port)

    done = threading.Event()
    threads = []
    samples = []
    threads.append(threading.Thread(
        target=every, args=(done, 2, lambda n: samples.append((time.monotonic(), rss_kib(shop.pid)))),
        daemon=True))
    if faulty:
        def collector_fault(n):  # every 15 s: down, then up again
            if n % 2 == 0:
                collector.kill()
            else:
                collector.start()

        def alertmanager_fault(n):  # every 10 s: frozen, then thawed
            os.killpg(am.pid, signal.SIGSTOP if n % 2 == 0 else signal.SIGCONT)

        threads.append(threading.Thread(target=every, args=(done, 15, collector_fault), daemon=True))
        threads.append(threading.Thread(target=every, args=(done, 10, alertmanager_fault), daemon=True))
    started = time.monotonic()
    for t in threads:
        t.start()
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "-s", MIX,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True)
    finally:
        done.set()
        for t in threads:
            t.join()
    with open(os.path.join(work, f"{name}-wrk.txt"), "w") as f:
        f.write(out.stdout + out.stderr)
    if out.returncode != 0:
        raise SystemExit(f"soak: wrk failed:\n{out.stdout}{out.stderr}")
    if collector.process.poll() is None:
        # An instance started just before wrk stopped has had no time to
        # receive a push; only one up for a few pushes is judged.
        if time.monotonic() - collector.started_at >= 5:
            collector.pushes.append(collector.received())
    else:
        collector.start()
    os.killpg(am.pid, signal.SIGCONT)
    say(f"{name}: pushes each collector instance received: {collector.pushes}")
    if not collector.pushes or 0 in collector.pushes:
        fail(f"{name}: a collector instance received no push from the demo: {collector.pushes}")
    wrk = {k: int(v) for k, v in re.findall(r"^([A-Z_0-9]+) (\d+)$", out.stdout, re.M)}
    sent = sum(wrk[k] for k in ("SENT_CHECKOUT", "SENT_CART", "SENT_SEARCH", "SENT_OTHER"))
    unanswered = sent - wrk["COMPLETED"]
    say(f"{name}: wrk sent {sent}, {wrk['COMPLETED']} answered "
        f"({wrk['COMPLETED'] / SECONDS:.0f}/s), {unanswered} in flight at its stop, "
        f"{wrk['SOCKET_ERRORS']} socket errors, p99 {wrk['P99_US'] / 1000:.1f} ms")
    if wrk["SOCKET_ERRORS"]:
        fail(f"{name}: wrk saw {wrk['SOCKET_ERRORS']} socket errors")

    # Requests in flight when wrk stopped finish or are dropped by now.
    time.sleep(1)
    live = totals(port)
    metrics = counters(port)
    excluded_all = 0
    for slo, key in SLOS.items():
        events, counted = live[slo], metrics[slo]
        excluded_all += counted["excluded"]
        say(f"{name}: {slo}: wrk sent {wrk[key]}; /slo good {events['good']} bad {events['bad']}"
            f" total {events['total']}; excluded {counted['excluded']}")
        if events["total"] + counted["excluded"] != wrk[key]:
            fail(f"{name}: {slo}: total {events['total']} + excluded {counted['excluded']}"
                 f" != {wrk[key]} requests wrk sent")
        if (counted["good"], counted["bad"]) != (events["good"], events["bad"]):
            fail(f"{name}: {slo}: /slo says {events}, /metrics {counted}")
    if excluded_all > unanswered:
        fail(f"{name}: {excluded_all} requests excluded, but wrk left only {unanswered} unanswered")

    warm = started + max(10, SECONDS / 5)
    after = [kib for t, kib in samples if t >= warm]
    if len(after) >= 2:
        base, peak = after[0], max(after)
        say(f"{name}: resident memory {base / 1024:.1f} MiB after warm-up, at most {peak / 1024:.1f} MiB"
            f" ({len(after)} samples)")
        if peak > base * (1 + RSS_TOLERANCE):
            fail(f"{name}: resident memory grew from {base} KiB to {peak} KiB after warm-up")
    else:
        fail(f"{name}: too few memory samples ({len(samples)})")

    result = {"p99_us": wrk["P99_US"], "port": port, "state": state, "demo": shop,
              "collector": collector, "am_port": am_port, "totals": live}
    return result, prom


def check_log(name):
    with open(os.path.join(work, f"{name}-demo.log"), errors="replace") as f:
        log = f.read()
    if "panicked" in log:
        fail(f"{name}: the demo's log holds a panic:\n{log[log.index('panicked') - 200:][:800]}")


def restart(name, result):
    """SIGKILL after the last state write, restart on the same file: the
    totals are those of the last write."""
    port, state = result["port"], result["state"]
    before = totals(port)
    written = os.stat(state).st_mtime
    deadline = time.monotonic() + 10 * STATE_EVERY
    while os.stat(state).st_mtime <= written + 0.001:
        if time.monotonic() > deadline:
            fail(f"{name}: no state write within {10 * STATE_EVERY} s")
            return
        time.sleep(0.2)
    if totals(port) != before:
        fail(f"{name}: the totals moved with no traffic")
    stop(result["demo"], signal.SIGKILL)
    say(f"{name}: killed with SIGKILL after a state write; restarting on {os.path.basename(state)}")
    shop = demo(f"{name}-restarted-demo", port, state, result["collector"], result["am_port"])
    after = totals(port)
    for slo in SLOS:
        say(f"{name}: {slo}: before {before[slo]['total']}, after the restart {after[slo]['total']}")
        if after[slo] != before[slo]:
            fail(f"{name}: {slo}: {before[slo]} before SIGKILL, {after[slo]} after the restart")
    stop(shop)


def main():
    # A SIGTERM (a CI timeout) unwinds like an error, so that the peers
    # are stopped and the logs kept.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak: terminated"))
    for program in ("wrk", "prometheus", "prometheus-alertmanager"):
        if shutil.which(program) is None:
            raise SystemExit(f"soak: {program} is not installed")
    if not os.path.exists(DEMO):
        raise SystemExit(f"soak: {DEMO} is missing (scripts/soak.sh builds it)")
    say(f"work directory {work}")
    completed = False
    try:
        healthy, prom = run("healthy", faulty=False)
        check_log("healthy")
        for process in list(processes):
            stop(process)
        faulted, prom = run("faulted", faulty=True)
        limit = healthy["p99_us"] * (1 + P99_TOLERANCE)
        say(f"p99: healthy {healthy['p99_us'] / 1000:.1f} ms, faulted {faulted['p99_us'] / 1000:.1f} ms")
        if faulted["p99_us"] > limit:
            fail(f"faulted p99 {faulted['p99_us']} µs is more than 10% above healthy {healthy['p99_us']} µs")
        restart("faulted", faulted)
        check_log("faulted")
        check_log("faulted-restarted")
        completed = True
    finally:
        for process in processes:
            stop(process)
        if failures or not completed or os.environ.get("SOAK_KEEP") == "1":
            say(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        say(f"{len(failures)} failed check(s)")
        sys.exit(1)
    say("passed")


if __name__ == "__main__":
    main()
