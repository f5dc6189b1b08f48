#!/usr/bin/env python3
# Verifies the DKIM signature of a delivered message (argv[1]) with dkimpy, the public key
# (argv[2], PEM, RSA or Ed25519) served for every selector by a stand-in DNS function: exit 0
# when it verifies.
import base64, sys, dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
message = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
if isinstance(key, ed25519.Ed25519PublicKey):
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    record = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(raw)
else:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
def dns(name, timeout=5):
    return record
ok = dkim.verify(message, dnsfunc=dns)
print("verified" if ok else "NOT verified")
sys.exit(0 if ok else 1)
