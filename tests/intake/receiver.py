"""A stand-in approval backend for the real-process tests (stdlib only).

    python receiver.py PORT LOG [--fail-first N] [--sleep-first SECONDS] [--secret S]

Records every delivery attempt as a JSON line in LOG: {"key", "accepted", "status", "signature_ok"}. It fails the
first N attempts with 503 and sleeps before answering the first successful one when asked. Like a real backend it
honours the Idempotency-Key: the first POST with a key is "accepted", later ones answer 200 "duplicate" (and are
recorded, so a duplicate delivery shows in the log).
"""

import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"attempts": 0, "keys": set()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("log")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--sleep-first", type=float, default=0)
    parser.add_argument("--secret", default="test-handoff-secret")
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = self.headers.get("Idempotency-Key", "")
            expected = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
            signature_ok = hmac.compare_digest(expected, self.headers.get("X-Intake-Signature", ""))
            with lock:
                state["attempts"] += 1
                attempt = state["attempts"]
                if attempt <= args.fail_first:
                    status, accepted = 503, False
                else:
                    accepted = key not in state["keys"]
                    state["keys"].add(key)
                    status = 200
                with open(args.log, "a") as fh:
                    fh.write(json.dumps({"key": key, "attempt": attempt, "status": status, "accepted": accepted,
                                         "signature_ok": signature_ok, "at": time.time()}) + "\n")
            if status == 200 and accepted and args.sleep_first:
                time.sleep(args.sleep_first)  # the sender is killed while we "process"
            payload = json.dumps({"reference": key, "duplicate": not accepted}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
