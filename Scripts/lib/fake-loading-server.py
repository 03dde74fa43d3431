#!/usr/bin/env python3
"""A tiny RESP server on 127.0.0.1:PORT that answers every command with LOADING, as a Redis
server does while it loads its dataset: a reply a real server cannot be made to give on demand.
Used by the fault tests only (Scripts/lib/fault-servers.sh)."""
import socket
import sys
import threading

REPLY = b"-LOADING Redis is loading the dataset in memory\r\n"


def commands(data):
    """Counts the complete RESP commands (arrays) or inline lines at the start of data; returns (count, rest)."""
    count = 0
    while data:
        if data[:1] == b"*":
            end = data.find(b"\r\n")
            if end < 0:
                break
            pos, arguments = end + 2, int(data[1:end])
            complete = True
            for _ in range(arguments):
                end = data.find(b"\r\n", pos)
                if end < 0:
                    complete = False
                    break
                length = int(data[pos + 1:end])
                pos = end + 2 + length + 2
                if pos > len(data):
                    complete = False
                    break
            if not complete:
                break
            data = data[pos:]
        else:
            end = data.find(b"\n")
            if end < 0:
                break
            data = data[end + 1:]
        count += 1
    return count, data


def serve(connection):
    pending = b""
    with connection:
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return
            count, pending = commands(pending + chunk)
            if count:
                connection.sendall(REPLY * count)


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen(16)
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


if __name__ == "__main__":
    main()
