"""A small HTTP load generator for the benchmarks: loopback only, bounded in requests and in time.

Run as a separate process (python -m bench.load ...) so that it does not share an interpreter with what it
measures; prints one JSON object: requests, errors, seconds, throughput and latency percentiles.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def run(port: int, host_header: str, paths: list[str], *, threads: int, seconds: float, max_requests: int,
        warmup: int = 20, connect: str = "127.0.0.1") -> dict:
    if connect not in LOOPBACK:
        raise SystemExit("load generator: loopback only")
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    issued = 0
    deadline = 0.0

    def request(conn: http.client.HTTPConnection, path: str) -> int:
        conn.request("GET", path, headers={"Host": host_header, "Accept": "text/html,application/json"})
        response = conn.getresponse()
        response.read()
        return response.status

    # Warm-up (not measured): first hits load code and fill caches in each worker.
    conn = http.client.HTTPConnection(connect, port, timeout=30)
    for n in range(warmup):
        try:
            request(conn, paths[n % len(paths)])
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(connect, port, timeout=30)
    conn.close()

    def worker(offset: int) -> None:
        nonlocal errors, issued
        conn = http.client.HTTPConnection(connect, port, timeout=30)
        n = offset
        local: list[float] = []
        local_status: dict[int, int] = {}
        local_errors = 0
        while True:
            with lock:
                if issued >= max_requests or time.perf_counter() >= deadline:
                    break
                issued += 1
            start = time.perf_counter()
            try:
                status = request(conn, paths[n % len(paths)])
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(connect, port, timeout=30)
                local_errors += 1
                continue
            finally:
                n += 1
            local.append(time.perf_counter() - start)
            local_status[status] = local_status.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(local)
            errors += local_errors
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.perf_counter()
    deadline = began + seconds
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "requests": len(latencies), "ok": ok, "errors": errors, "statuses": {str(k): v for k, v in statuses.items()},
        "seconds": round(elapsed, 3), "threads": threads,
        "rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host-header", default="localhost")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("path", nargs="+")
    args = parser.parse_args(argv)
    result = run(args.port, args.host_header, args.path, threads=args.threads, seconds=min(args.seconds, 120.0),
                 max_requests=args.max_requests)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
