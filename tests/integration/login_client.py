#!/usr/bin/env python3
"""Logs in to a server with Python's imaplib/poplib, as an independent client for fixture tests.

usage: login_client.py MODE HOST PORT CA_FILE USER   (password on stdin)
MODE: imaps | imap-starttls | pop3s | pop3-stls | handshake-as
With handshake-as, HOST is the name to verify the certificate against while connecting to
127.0.0.1: exit 0 if the handshake succeeds, 2 if not.
Verifies the certificate against CA_FILE and the host name. Prints the capabilities after login.
Exit status: 0 logged in, 1 the server refused the credentials, 2 any other failure.
"""
import imaplib
import poplib
import socket
import ssl
import sys


def main():
    mode, host, port, ca_file, user = sys.argv[1:6]
    password = sys.stdin.readline().rstrip("\n")
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    port = int(port)
    try:
        if mode == "handshake-as":
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    print(tls.version())
            return 0
        if mode.startswith("imap"):
            if mode == "imaps":
                client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=10)
            else:
                client = imaplib.IMAP4(host, port, timeout=10)
                client.starttls(ssl_context=context)
            try:
                client.login(user, password)
            except imaplib.IMAP4.error as e:
                print(f"login refused: {e}", file=sys.stderr)
                return 1
            # Ask again: the capabilities after login differ from those before it.
            typ, data = client.capability()
            print(data[0].decode())
            client.logout()
        else:
            if mode == "pop3s":
                client = poplib.POP3_SSL(host, port, context=context, timeout=10)
            else:
                client = poplib.POP3(host, port, timeout=10)
                client.stls(context=context)
            try:
                client.user(user)
                client.pass_(password)
            except poplib.error_proto as e:
                print(f"login refused: {e}", file=sys.stderr)
                return 1
            print(" ".join(client.capa().keys()))
            client.quit()
    except (OSError, ssl.SSLError) as e:
        print(f"connection failed: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
