"""notify.email through our API and a worker of its own to real SMTP servers (aiosmtpd from
PyPI, on loopback): one plain, one that requires AUTH. Built-in and folder templates, UTF-8
headers, both MIME parts, a refused recipient, CR/LF refused at enqueue and from a Celery
client, a broadcast from a PostgreSQL recipient source in batches, and a broadcast whose
worker is killed with SIGKILL mid-way: the re-run mails nobody twice."""
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl
import tempfile
import threading
import time
import unittest
from collections import Counter

import psycopg2
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import own_worker
from interop_app import app
from test_interop import http, wait_final

PLAIN_PORT = int(os.environ.get("CELERIAC_INTEROP_SMTP_PORT", "18098"))
AUTH_PORT = PLAIN_PORT + 1
QUEUE = "interop_mail"
DATABASE_URL = f"postgresql://celeriac@127.0.0.1:{os.environ['CELERIAC_INTEROP_PG_PORT']}/{os.environ['CELERIAC_INTEROP_DATABASE']}"
LOGS = os.environ["CELERIAC_INTEROP_LOGS"]
PASSWORD = "pa$$ wörd"


class Sink:
    """Keeps every message it accepts; refuses the addresses in `refuse` with a 550; waits
    `delay` seconds before accepting each message."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "session": id(session),
                                  "login": getattr(session, "auth_data", None), "data": envelope.content,
                                  "tls": bool(getattr(session, "ssl", None))})
        return "250 Message accepted"

    def clear(self):
        with self.lock:
            self.messages.clear()
        self.refuse.clear()
        self.delay = 0.0

    def parsed(self, index):
        return email.message_from_bytes(self.messages[index]["data"], policy=email.policy.default)


def certificate(folder, name):
    """A self-signed certificate for 127.0.0.1 and localhost: (cert path, key path)."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"celeriac test {name}")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(folder, f"{name}.pem"), os.path.join(folder, f"{name}.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def server_context(cert_path, key_path):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"mailer" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)


def start_worker(name, secrets, sources, templates, queue=QUEUE, ca_file=""):
    return own_worker.start(name, queue, CELERIAC_SECRETS_FILE=secrets, CELERIAC_MAIL_SOURCES=sources,
                            CELERIAC_MAIL_TEMPLATES=templates, CELERIAC_MAIL_FROM="Celeriac <noreply@example.com>",
                            CELERIAC_SMTP_CA_FILE=ca_file)


def enqueue(kwargs, queue=QUEUE):
    status, created = http("POST", "/tasks", {"task": "notify.email", "queue": queue, "kwargs": kwargs})
    assert status == 201, created
    return created["id"]


class Email(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.plain, cls.auth, cls.tls = Sink(), Sink(), Sink()
        cls.folder = tempfile.mkdtemp(prefix="celeriac-mail-")
        trusted = certificate(cls.folder, "trusted")
        untrusted = certificate(cls.folder, "untrusted")
        cls.controllers = [
            Controller(cls.plain, hostname="127.0.0.1", port=PLAIN_PORT),
            Controller(cls.auth, hostname="127.0.0.1", port=AUTH_PORT, authenticator=authenticator,
                       auth_required=True, auth_require_tls=False),
            # STARTTLS required (the login only over TLS), with a certificate the worker trusts.
            Controller(cls.tls, hostname="127.0.0.1", port=PLAIN_PORT + 2, tls_context=server_context(*trusted),
                       require_starttls=True, authenticator=authenticator, auth_required=True),
            # The same with a certificate the worker does not trust.
            Controller(Sink(), hostname="127.0.0.1", port=PLAIN_PORT + 3, tls_context=server_context(*untrusted),
                       require_starttls=True),
        ]
        for controller in cls.controllers:
            controller.start()
        templates = os.path.join(cls.folder, "templates")
        os.mkdir(templates)
        with open(os.path.join(templates, "welcome.subject.mustache"), "w") as f:
            f.write("Welcome, {{recipient.name}}")
        with open(os.path.join(templates, "welcome.txt.mustache"), "w") as f:
            f.write("Hi {{recipient.first_name}}{{^recipient.first_name}}there{{/recipient.first_name}}, your plan is {{plan}}.\n")
        cls.secrets = os.path.join(cls.folder, "secrets.json")
        quoted = PASSWORD.replace("$", "%24").replace(" ", "%20").replace("ö", "%C3%B6")
        with open(cls.secrets, "w") as f:
            json.dump({"SMTP_URL": f"smtp://127.0.0.1:{PLAIN_PORT}",
                       "SMTP_AUTH_URL": f"smtp://mailer:{quoted}@127.0.0.1:{AUTH_PORT}",
                       "SMTP_WRONG_PASSWORD": f"smtp://mailer:nope@127.0.0.1:{AUTH_PORT}",
                       "SMTP_STARTTLS_URL": f"smtp+starttls://mailer:{quoted}@127.0.0.1:{PLAIN_PORT + 2}",
                       "SMTP_UNTRUSTED_URL": f"smtp+starttls://127.0.0.1:{PLAIN_PORT + 3}",
                       "SMTP_NO_STARTTLS_URL": f"smtp+starttls://127.0.0.1:{PLAIN_PORT}",
                       "MAIL_DB": DATABASE_URL}, f)
        cls.sources = os.path.join(cls.folder, "sources.json")
        with open(cls.sources, "w") as f:
            json.dump({"subscribers": {"database": "MAIL_DB", "table": "public.mail_subscriber", "email": "email",
                                       "name": "display_name", "variables": ["first_name"], "where": {"opted_in": True}}}, f)
        cls.db = psycopg2.connect(DATABASE_URL)
        cls.db.autocommit = True
        cls.worker = start_worker("mail@celeriac", cls.secrets, cls.sources, templates, ca_file=trusted[0])
        cls.templates = templates

    @classmethod
    def tearDownClass(cls):
        for process in [cls.worker]:
            process.terminate()
            process.wait(10)
        for controller in cls.controllers:
            controller.stop()
        cls.db.close()

    def setUp(self):
        self.plain.clear()
        self.auth.clear()
        self.tls.clear()

    def subscribers(self, opted_in, opted_out=0):
        with self.db.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS mail_subscriber")
            cursor.execute("CREATE TABLE mail_subscriber (id serial PRIMARY KEY, email text, display_name text, "
                           "first_name text, opted_in boolean NOT NULL)")
            cursor.executemany("INSERT INTO mail_subscriber (email, display_name, first_name, opted_in) VALUES (%s, %s, %s, %s)",
                               [(f"user{n:05d}@example.com", f"User {n}", f"First{n}", True) for n in range(opted_in)]
                               + [(f"out{n:05d}@example.com", None, None, False) for n in range(opted_out)])
        return {f"user{n:05d}@example.com" for n in range(opted_in)}

    def test_verification_mail_through_a_server_that_requires_auth(self):
        task = wait_final(enqueue({"to": {"email": "ana@example.com", "name": "Ana Müller"}, "template": "verification",
                                   "smtp": "SMTP_AUTH_URL", "variables": {"url": "https://app.example.com/verify?t=abc&x=1",
                                                                          "code": "482913", "app_name": "리뷰 앱"},
                                   "unsubscribe": "https://app.example.com/unsub/{{recipient.email}}"}))
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual((task["result"]["sent"], task["result"]["failed"]), (1, []))
        [received] = self.auth.messages
        self.assertEqual((received["from"], received["to"], received["login"]), ("noreply@example.com", ["ana@example.com"], b"mailer"))
        message = self.auth.parsed(0)
        self.assertEqual(message["Subject"], "Confirm your email address for 리뷰 앱")
        self.assertEqual(str(message["To"]), "Ana Müller <ana@example.com>")
        self.assertEqual(str(message["From"]), "Celeriac <noreply@example.com>")
        self.assertTrue(message["Message-ID"].startswith(f"<{task['id']}."))
        self.assertIsNotNone(message["Date"].datetime)
        self.assertEqual(message["List-Unsubscribe"], "<https://app.example.com/unsub/ana@example.com>")
        self.assertEqual(message.get_content_type(), "multipart/alternative")
        text, html = [part.get_content() for part in message.iter_parts()]
        self.assertIn('href="https://app.example.com/verify?t=abc&amp;x=1"', html)
        self.assertIn("Hello Ana Müller,", html)
        self.assertIn("https://app.example.com/verify?t=abc&x=1", text)
        self.assertIn("482913", text)
        self.assertNotIn("<p>", text)
        # The password is a secret: in no result and no log.
        self.assertNotIn(PASSWORD, json.dumps(task))
        for name in os.listdir(LOGS):
            if name.endswith(".log"):
                with open(os.path.join(LOGS, name), errors="replace") as log:
                    self.assertNotIn("pa$$", log.read(), name)

    def test_password_reset_and_a_folder_template(self):
        reset = enqueue({"to": ["bo@example.com"], "template": "password_reset",
                         "variables": {"url": "https://app.example.com/reset/xyz", "expires_in": "1 hour"}})
        welcome = enqueue({"to": [{"email": "cy@example.com", "name": "Cy"}], "template": "welcome", "variables": {"plan": "Pro"}})
        self.assertEqual(wait_final(reset)["state"], "SUCCESS")
        self.assertEqual(wait_final(welcome)["state"], "SUCCESS")
        by_recipient = {m["to"][0]: email.message_from_bytes(m["data"], policy=email.policy.default) for m in self.plain.messages}
        self.assertEqual(by_recipient["bo@example.com"]["Subject"], "Reset your password")
        self.assertIn("within 1 hour", by_recipient["bo@example.com"].get_body(("plain",)).get_content())
        welcome_mail = by_recipient["cy@example.com"]
        self.assertEqual(welcome_mail["Subject"], "Welcome, Cy")
        self.assertEqual(welcome_mail.get_content_type(), "text/plain")
        self.assertEqual(welcome_mail.get_content().strip(), "Hi there, your plan is Pro.")

    def test_a_refused_recipient_is_listed_and_the_others_are_sent(self):
        self.plain.refuse.add("ghost@example.com")
        task = wait_final(enqueue({"to": ["a@example.com", "ghost@example.com", "b@example.com"], "subject": "Hi {{recipient.email}}",
                                   "html": "<p>Hello</p>"}))
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual(task["result"]["sent"], 2)
        [failed] = task["result"]["failed"]
        self.assertEqual(failed["to"], "ghost@example.com")
        self.assertIn("550", failed["error"])
        # When every recipient is refused, the task fails.
        only = wait_final(enqueue({"to": "ghost@example.com", "subject": "x", "text": "y"}))
        self.assertEqual((only["state"], only["error"]["type"]), ("FAILURE", "SMTPRecipientsRefused"), only)

    def test_a_line_break_in_a_header_is_refused(self):
        status, problem = http("POST", "/tasks", {"task": "notify.email", "queue": QUEUE, "kwargs": {
            "to": "a@example.com", "subject": "Hello\r\nBcc: victim@example.com", "text": "x"}})
        self.assertEqual(status, 422, problem)
        self.assertEqual([e["pointer"] for e in problem["errors"]], ["/kwargs/subject"])
        status, problem = http("POST", "/tasks", {"task": "notify.email", "queue": QUEUE, "kwargs": {
            "to": ["a@example.com", "b@example.com\r\nRCPT TO:<c@example.com>"], "subject": "s", "text": "x"}})
        self.assertEqual(status, 422, problem)
        self.assertEqual([e["pointer"] for e in problem["errors"]], ["/kwargs/to"])
        # A Celery client's message is checked by the worker: FAILURE, nothing sent.
        result = app.send_task("notify.email", kwargs={"to": "a@example.com", "subject": "a\nb", "text": "x"}, queue=QUEUE)
        task = wait_final(result.id)
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "TypeError"), task)
        # A variable that puts a line break into the subject fails that recipient only.
        task = wait_final(enqueue({"to": ["a@example.com", "b@example.com"], "subject": "{{s}}", "text": "x",
                                   "variables": {"s": "ok\r\nBcc: victim@example.com"}}))
        self.assertEqual(task["state"], "FAILURE", task)
        self.assertEqual(self.plain.messages, [])

    def test_starttls_with_a_trusted_certificate_and_no_plain_fallback(self):
        task = wait_final(enqueue({"to": "ana@example.com", "subject": "Über TLS", "text": "x", "smtp": "SMTP_STARTTLS_URL"}))
        self.assertEqual(task["state"], "SUCCESS", task)
        [received] = self.tls.messages
        self.assertEqual((received["tls"], received["login"]), (True, b"mailer"))
        self.assertEqual(self.tls.parsed(0)["Subject"], "Über TLS")
        # A certificate nobody vouches for, or a server without STARTTLS: nothing is sent in
        # the clear, and no retry will change that.
        for secret in ("SMTP_UNTRUSTED_URL", "SMTP_NO_STARTTLS_URL"):
            task = wait_final(enqueue({"to": "ana@example.com", "subject": "s", "text": "x", "smtp": secret}))
            self.assertEqual((task["state"], (task["error"] or {}).get("type")), ("FAILURE", "SSLError"), (secret, task))
        self.assertEqual(self.plain.messages, [])

    def test_a_wrong_password_fails_without_retry(self):
        task = wait_final(enqueue({"to": "a@example.com", "subject": "s", "text": "x", "smtp": "SMTP_WRONG_PASSWORD"}))
        self.assertEqual((task["state"], task["error"]["type"]), ("FAILURE", "SMTPAuthenticationError"), task)
        self.assertNotIn("nope", json.dumps(task))

    def test_a_broadcast_goes_to_the_source_in_batches(self):
        expected = self.subscribers(opted_in=230, opted_out=20)
        task = wait_final(enqueue({"to": {"source": "subscribers"}, "template": "broadcast", "batch_size": 100,
                                   "variables": {"title": "Spring news", "paragraphs": ["One", "Two"]},
                                   "text": "Hi {{recipient.first_name}}: {{#paragraphs}}{{.}} {{/paragraphs}}"}), timeout=60)
        self.assertEqual(task["state"], "SUCCESS", task)
        self.assertEqual({k: task["result"][k] for k in ("recipients", "sent", "sent_before", "batches")},
                         {"recipients": 230, "sent": 230, "sent_before": 0, "batches": 3})
        received = [m["to"][0] for m in self.plain.messages]
        self.assertEqual(Counter(received), Counter(expected))
        first = next(m for m in self.plain.messages if m["to"] == ["user00007@example.com"])
        message = email.message_from_bytes(first["data"], policy=email.policy.default)
        self.assertEqual(message["Subject"], "Spring news")
        self.assertEqual(str(message["To"]), "User 7 <user00007@example.com>")
        self.assertEqual(message.get_body(("plain",)).get_content().strip(), "Hi First7: One Two")
        # One connection carries many mails (libcurl keeps it between them).
        self.assertLessEqual(len({m["session"] for m in self.plain.messages}), 3)

    def test_a_broadcast_killed_with_sigkill_mails_nobody_twice(self):
        expected = self.subscribers(opted_in=400)
        self.plain.delay = 0.01
        # Workers of their own queue: the victim takes the task, its successor finds it when
        # the victim's lease (5 s) runs out.
        queue = "interop_mail_kill"
        victim = start_worker("mail-victim@celeriac", self.secrets, self.sources, self.templates, queue)
        successor = None
        try:
            task_id = enqueue({"to": {"source": "subscribers"}, "subject": "News", "text": "x", "batch_size": 50}, queue)
            deadline = time.monotonic() + 30
            while len(self.plain.messages) < 120 and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertGreaterEqual(len(self.plain.messages), 120)
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            successor = start_worker("mail-successor@celeriac", self.secrets, self.sources, self.templates, queue)
            task = wait_final(task_id, timeout=90)
        finally:
            own_worker.stop(victim, successor)
        self.assertEqual(task["state"], "SUCCESS", task)
        received = Counter(m["to"][0] for m in self.plain.messages)
        self.assertEqual([address for address, times in received.items() if times > 1], [])
        result = task["result"]
        # Mails the server took before the kill: noted sent, or (the last, whose "sent" would
        # have gone with the next mail's note) uncertain.
        self.assertGreaterEqual(result["sent_before"] + len(result["uncertain"]), 120)
        self.assertLessEqual(len(result["uncertain"]), 1)
        self.assertEqual(result["sent"] + result["sent_before"] + len(result["uncertain"]), 400)
        self.assertEqual(set(received) | set(result["uncertain"]), expected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
