#!/usr/bin/env python3
# A scriptable SMTP/LMTP peer for the mta's end-to-end tests: it listens on one address and
# port, answers as its JSON configuration says (banner, EHLO capabilities, per-recipient
# replies, the verdict after DATA, a drop in the middle of DATA), and records what it received:
# every command line with the number of the read that brought it (pipelined commands share
# one), and every message's raw DATA bytes (still dot-stuffed, CRLF) in OUT/msg-N.eml.
# With "cert"/"key" it offers STARTTLS (or, with "smtps", speaks TLS from the start) and
# records "tls": true on what came encrypted; AUTH PLAIN and LOGIN are taken and recorded
# decoded ("auth": "user:password").
# Usage: mta_peer.py CONFIG.json ; it writes OUT/ready once it listens.
import base64, json, os, socket, ssl, sys, threading, time

cfg = json.load(open(sys.argv[1]))
out = cfg["out"]
os.makedirs(out, exist_ok=True)
lock = threading.Lock()
counter = {"msg": 0, "read": 0, "drops": cfg.get("drop_in_data", 0)}


def log(entry):
    with lock:
        with open(os.path.join(out, "transcript.jsonl"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cfg["cert"], cfg["key"])
    if cfg.get("client_ca"):
        # A peer that insists on a client certificate signed by this CA.
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cfg["client_ca"])
    return ctx


def log_client_cert(conn, peer):
    if cfg.get("client_ca"):
        subject = dict(x[0] for x in conn.getpeercert()["subject"])
        log({"peer": peer, "event": "client cert", "cn": subject.get("commonName", "")})


def serve(conn, peer):
    name = cfg.get("name", "peer.test")
    lmtp = cfg.get("lmtp", False)
    buf = b""
    reads = 0
    secure = False
    if cfg.get("smtps"):
        try:
            conn = tls_context().wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log({"peer": peer, "event": "tls failed", "error": str(e)})
            return
        log_client_cert(conn, peer)
        secure = True

    def send(text):
        conn.sendall(text.encode() + b"\r\n")

    def lines():
        nonlocal buf, reads
        while True:
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                yield line.rstrip(b"\r"), reads
            data = conn.recv(65536)
            if not data:
                return
            with lock:
                counter["read"] += 1
                reads = counter["read"]
            buf += data

    send(cfg.get("banner", "220 %s ESMTP test peer" % name))
    if not cfg.get("banner", "220").startswith("2"):
        # A refusing greeting: answer QUIT, nothing else.
        for line, _ in lines():
            send("221 2.0.0 Bye")
            break
        conn.close()
        return
    rcpts = []
    it = lines()
    for line, r in it:
        text = line.decode("utf-8", "replace")
        verb = text.split(" ")[0].upper()
        log({"peer": peer, "read": r, "line": text, "tls": secure})
        if verb in ("EHLO", "LHLO"):
            if cfg.get("ehlo_reply"):
                send(cfg["ehlo_reply"])
                continue
            caps = list(cfg.get("caps", ["PIPELINING", "8BITMIME", "SIZE 10240000", "DSN"]))
            if cfg.get("cert") and not secure and not cfg.get("smtps"):
                caps.append("STARTTLS")
            if secure:
                caps.append("AUTH PLAIN LOGIN")
            all_lines = [name] + caps
            for i, c in enumerate(all_lines):
                send(("250 " if i == len(all_lines) - 1 else "250-") + c)
        elif verb == "STARTTLS" and cfg.get("cert") and not secure:
            send("220 2.0.0 Ready to start TLS")
            buf = b""
            try:
                conn = tls_context().wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log({"peer": peer, "event": "tls failed", "error": str(e)})
                return
            log_client_cert(conn, peer)
            secure = True
        elif verb == "AUTH":
            words = text.split(" ")
            if words[1].upper() == "PLAIN":
                creds = base64.b64decode(words[2]).split(b"\0")
                log({"peer": peer, "auth": (creds[1] + b":" + creds[2]).decode()})
            else:
                send("334 VXNlcm5hbWU6")
                user = base64.b64decode(next(it)[0]).decode()
                send("334 UGFzc3dvcmQ6")
                password = base64.b64decode(next(it)[0]).decode()
                log({"peer": peer, "auth": user + ":" + password})
            send("235 2.7.0 Authentication successful")
        elif verb == "HELO":
            send("250 " + name)
        elif verb == "MAIL":
            rcpts = []
            send(cfg.get("mail_reply", "250 2.1.0 Ok"))
        elif verb == "RCPT":
            addr = text[text.find("<") + 1:text.find(">")]
            reply = cfg.get("rcpt", {}).get(addr, "250 2.1.5 Ok")
            with lock:
                once = cfg.get("rcpt_once", {})
                if addr in once:
                    reply = once.pop(addr)
            if reply.startswith("2"):
                rcpts.append(addr)
            send(reply)
        elif verb == "DATA":
            if not rcpts:
                send("554 5.5.1 No valid recipients")
                continue
            send("354 End data with <CR><LF>.<CR><LF>")
            raw = b""
            while True:
                # A drop comes before the end of the data is looked for: the client has sent
                # (some of) its message and gets no verdict.
                if counter["drops"] > 0 and len(buf) > 0:
                    with lock:
                        counter["drops"] -= 1
                    log({"peer": peer, "event": "dropped in data"})
                    conn.close()
                    return
                if buf.find(b"\r\n.\r\n") >= 0 or buf.startswith(b".\r\n"):
                    break
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            if buf.startswith(b".\r\n"):
                raw, buf = b"", buf[3:]
            else:
                end = buf.find(b"\r\n.\r\n")
                raw, buf = buf[:end + 2], buf[end + 5:]
            with lock:
                counter["msg"] += 1
                n = counter["msg"]
            with open(os.path.join(out, "msg-%d.eml" % n), "wb") as f:
                f.write(raw)
            log({"peer": peer, "event": "message", "n": n, "rcpts": rcpts})
            if cfg.get("data_delay"):
                # A slow peer: the session stays open with the message sent, its verdict not yet given.
                time.sleep(cfg["data_delay"])
            if lmtp:
                for a in rcpts:
                    send(cfg.get("lmtp_rcpt", {}).get(a, "250 2.0.0 <%s> Ok" % a))
            else:
                send(cfg.get("data_reply", "250 2.0.0 Ok: queued as %d" % n))
        elif verb == "RSET":
            rcpts = []
            send("250 2.0.0 Ok")
        elif verb == "QUIT":
            send("221 2.0.0 Bye")
            break
        elif verb == "NOOP":
            send("250 2.0.0 Ok")
        else:
            send("502 5.5.2 Error: command not recognized")
    conn.close()


family = socket.AF_INET6 if ":" in cfg["address"] else socket.AF_INET
s = socket.socket(family, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((cfg["address"], cfg.get("port", 25)))
s.listen(64)
open(os.path.join(out, "ready"), "w").close()
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a[0]), daemon=True).start()
