"""notify.webpush through our API and worker to a local push endpoint that does what a push
service does: it checks the VAPID JWT with py_vapid and decrypts the RFC 8291 body with
http_ece (both from PyPI). One subscription takes the message (201), one is gone (410)."""
import base64
import json
import os
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import py_vapid
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from test_interop import OUR_QUEUE, http, wait_final

PORT = int(os.environ["CELERIAC_INTEROP_PUSH_PORT"])
VAPID_PUBLIC = os.environ["CELERIAC_INTEROP_VAPID_PUBLIC"]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Endpoint(BaseHTTPRequestHandler):
    keys = {}  # path → (private key, auth secret)
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/push/gone":
            self.send_response(410)
            self.end_headers()
            return
        private_key, auth = Endpoint.keys[self.path]
        plaintext = http_ece.decrypt(body, private_key=private_key, auth_secret=auth, version="aes128gcm")
        authorization = self.headers["Authorization"]
        verified = py_vapid.Vapid02.verify(authorization)
        claims = json.loads(unb64url(authorization.split("t=", 1)[1].split(",", 1)[0].split(".")[1]))
        Endpoint.received.append({"plaintext": plaintext, "verified": verified, "claims": claims,
                                  "k": authorization.split("k=", 1)[1], "headers": dict(self.headers), "size": len(body)})
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def subscription(path):
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    Endpoint.keys[path] = (private_key, auth)
    public = private_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": f"http://127.0.0.1:{PORT}{path}", "expirationTime": None,
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)}}


class WebPush(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ThreadingHTTPServer(("127.0.0.1", PORT), Endpoint)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()

    def test_a_message_is_decrypted_and_signed_and_a_gone_subscription_is_reported(self):
        payload = json.dumps({"title": "리뷰 알림", "body": "Morning reminder ✓"}, ensure_ascii=False)
        ok, gone = subscription("/push/ok"), {"endpoint": f"http://127.0.0.1:{PORT}/push/gone",
                                              "keys": subscription("/push/unused")["keys"]}
        status, created = http("POST", "/tasks", {"task": "notify.webpush", "queue": OUR_QUEUE, "kwargs": {
            "payload": payload, "subscriptions": [ok, gone], "ttl": 60, "urgency": "high", "topic": "morning",
            "subject": "mailto:ops@example.com"}})
        self.assertEqual(status, 201, created)
        task = wait_final(created["id"])
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual(task["result"], {"sent": 1, "gone": [gone["endpoint"]], "failed": []})

        [message] = Endpoint.received
        self.assertEqual(message["plaintext"].decode(), payload)
        self.assertTrue(message["verified"])
        self.assertEqual(message["k"], VAPID_PUBLIC)
        claims = message["claims"]
        self.assertEqual((claims["aud"], claims["sub"]), (f"http://127.0.0.1:{PORT}", "mailto:ops@example.com"))
        self.assertTrue(time.time() < claims["exp"] <= time.time() + 24 * 3600)
        headers = {name.lower(): value for name, value in message["headers"].items()}
        self.assertEqual((headers["ttl"], headers["urgency"], headers["topic"], headers["content-encoding"]),
                         ("60", "high", "morning", "aes128gcm"))
        self.assertLessEqual(message["size"], 4096)

        # The private key is a secret: in no result, no log line.
        secret = os.environ["VAPID_PRIVATE_KEY"]
        self.assertNotIn(secret, json.dumps(task))
        logs = os.environ["CELERIAC_INTEROP_LOGS"]
        for name in sorted(os.listdir(logs)):
            if name.endswith(".log"):
                with open(os.path.join(logs, name), errors="replace") as log:
                    self.assertNotIn(secret, log.read(), f"{name} shows the VAPID private key")

    def test_bad_subscriptions_fail_without_retry(self):
        status, created = http("POST", "/tasks", {"task": "notify.webpush", "queue": OUR_QUEUE, "kwargs": {
            "payload": "x", "subscriptions": [{"endpoint": "ftp://nowhere", "keys": {"p256dh": "AA", "auth": "AA"}}]}})
        self.assertEqual(status, 201, created)
        task = wait_final(created["id"])
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "TypeError"), task)
        self.assertIn("subscriptions[0]", task["error"]["message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
