#!/usr/bin/python3
"""SMTP sink for tern's integration tests.

A small aiosmtpd server that accepts every message and stores it on disk so a
test can inspect exactly what tern sent.  It is started as a separate process
by servers.py, but can be run by hand too:

    smtpsink.py --port 2525 --dir SINKDIR [--users users.json]

Behaviour:
  * listens on --host (default 127.0.0.1) and --port;
  * offers AUTH PLAIN and AUTH LOGIN without TLS; a login succeeds when the
    user name and password match an entry of the --users JSON file
    ({"alice": "alice-pw", ...}); AUTH is optional (unauthenticated mail is
    accepted too);
  * every message is stored as NNNNNN.eml (the DATA bytes exactly as received,
    after SMTP dot-unstuffing, CRLF line endings as sent) plus NNNNNN.json
    with the envelope: mail_from, rcpt_tos, auth_login (null when the client
    did not authenticate), mail_options, rcpt_options, peer, received, size;
  * both files are written to a temporary name and renamed into place, .json
    first, so a reader that sees NNNNNN.eml can always read NNNNNN.json;
  * a recipient whose local part starts with "refused" (refused@x,
    refused-2@y) gets "550 5.1.1 ... no such user", for tests of a refused
    recipient; every other recipient is accepted;
  * numbering continues after the highest number already in the directory;
  * SIGTERM / SIGINT stop it cleanly.

Needs /usr/bin/python3 with python3-aiosmtpd (Debian package).
"""

import argparse
import asyncio
import datetime
import json
import logging
import os
import re
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def _next_number(directory):
    highest = 0
    for name in os.listdir(directory):
        m = re.fullmatch(r"(\d{6})\.(eml|json)", name)
        if m:
            highest = max(highest, int(m.group(1)))
    return highest + 1


def _write_atomic(directory, name, data):
    tmp = os.path.join(directory, ".tmp-%d-%s" % (os.getpid(), name))
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(directory, name))


class SinkHandler:
    """aiosmtpd handler: store each message with its envelope."""

    def __init__(self, directory):
        self.directory = directory
        self.number = _next_number(directory)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("refused"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        if data is None:  # pragma: no cover - aiosmtpd always sets it
            data = envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        base = "%06d" % self.number
        self.number += 1
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_login": session.auth_data if session.authenticated else None,
            "mail_options": list(envelope.mail_options or []),
            "rcpt_options": list(envelope.rcpt_options or []),
            "peer": list(session.peer) if session.peer else None,
            "received": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "size": len(data),
        }
        _write_atomic(self.directory, base + ".json",
                      json.dumps(meta, indent=1, sort_keys=True).encode() + b"\n")
        _write_atomic(self.directory, base + ".eml", data)
        return "250 2.0.0 OK stored as %s" % base


def make_authenticator(users):
    def authenticator(server, session, envelope, mechanism, auth_data):
        if mechanism in ("PLAIN", "LOGIN") and isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if login in users and users[login] == password:
                return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False)
    return authenticator


def main(argv=None):
    ap = argparse.ArgumentParser(description="SMTP sink for tern tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="where messages are stored")
    ap.add_argument("--users", help="JSON file: {user: password}")
    ap.add_argument("--hostname", default="sink.tern.test",
                    help="name in the greeting (avoids a DNS lookup)")
    args = ap.parse_args(argv)

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s smtpsink: %(levelname)s %(message)s")
    # aiosmtpd warns about AUTH without TLS on every connection: intended here.
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    os.makedirs(args.dir, exist_ok=True)
    users = {}
    if args.users:
        with open(args.users, encoding="utf-8") as f:
            users = json.load(f)

    handler = SinkHandler(args.dir)
    authenticator = make_authenticator(users)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, hostname=args.hostname, loop=loop,
                    enable_SMTPUTF8=True, decode_data=False,
                    auth_required=False, auth_require_tls=False,
                    authenticator=authenticator)

    server = loop.run_until_complete(
        loop.create_server(factory, host=args.host, port=args.port,
                           reuse_address=True))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, loop.stop)
    print("smtpsink: listening on %s:%d, storing in %s"
          % (args.host, args.port, args.dir), file=sys.stderr, flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
