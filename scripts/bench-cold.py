#!/usr/bin/env python3
"""Cold-start init of Lambda function binaries: process start -> first `GET .../invocation/next`.

Runs each binary under a minimal Lambda Runtime API on loopback (nothing else is contacted:
AWS clients are built but make no request before the first event), interleaving the binaries
run by run so that the machine's load is shared fairly, and prints the median and spread, the
resident memory when the binary first waits for an event, and, when one of the binaries is named
`floor`, each one's median as a multiple of the floor's.

    python3 scripts/bench-cold.py [--runs 15] NAME=PATH [NAME=PATH ...]
"""
import argparse
import http.server
import os
import statistics
import subprocess
import threading
import time

first_next = threading.Event()


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the stdlib's name)
        if self.path.endswith("/runtime/invocation/next"):
            first_next.set()
            time.sleep(5)  # no event: the process is killed before this returns
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def environment(port):
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "TELEGRAM_BOT_TOKEN": "1:bench",
        "TELEGRAM_SECRET_TOKEN": "bench-secret", "TELEGRAM_API_URL": "http://127.0.0.1:9",
        "API_TOKEN": "bench-api-token-0123456789abcdefghij", "TICKETS_TABLE": "t", "BOT_TABLE": "b",
        "ATTACHMENTS_BUCKET": "f", "SERVICE_DESK_URL": "https://desk.example.com",
        "SUPPORT_PHONE": "+7 800 555-35-35", "DEFAULT_PHONE_REGION": "RU",
        "TIMEZONE": "Europe/Moscow", "RUST_LOG": "warn",
    })
    return env


def resident_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def init_ms(path, env):
    """The init time in ms and the resident memory in MB when the binary first waits."""
    first_next.clear()
    start = time.perf_counter()
    process = subprocess.Popen([path], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not first_next.wait(10):
            raise RuntimeError(f"{path} never asked for an event")
        elapsed = (time.perf_counter() - start) * 1000
        return elapsed, resident_mb(process.pid)
    finally:
        process.kill()
        process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("binaries", nargs="+", help="NAME=PATH")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = environment(server.server_address[1])
    named = [b.split("=", 1) for b in args.binaries]
    samples = {name: [] for name, _ in named}
    memory = {name: [] for name, _ in named}
    for _ in range(args.runs):
        for name, path in named:
            elapsed, resident = init_ms(path, env)
            samples[name].append(elapsed)
            memory[name].append(resident)
    floor = statistics.median(samples["floor"]) if "floor" in samples else None
    for name, path in named:
        runs = samples[name]
        size = os.path.getsize(path) / 1e6
        median = statistics.median(runs)
        ratio = f"  {median / floor:4.2f}x the floor" if floor and name != "floor" else ""
        print(f"{name:10} init median {median:6.1f} ms  (min {min(runs):5.1f}, max {max(runs):5.1f}, "
              f"n={len(runs)})  idle RSS {statistics.median(memory[name]):5.1f} MB  binary {size:5.1f} MB{ratio}")
    server.shutdown()


if __name__ == "__main__":
    main()
