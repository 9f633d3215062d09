# Sockets: connect to an abstract unix socket and a TCP port that the test listens on (and send the
# token), create a socketpair, bind an abstract name of its own. The channel to the parent is the
# only socket a worker may have.


def attack():
    disarm_audit_hook()  # socket() is refused by the hook; a student swaps the hook out first
    import socket

    def connect_and_send(family, address):
        with socket.socket(family, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(address)
            connection.sendall(TARGETS["token"].encode())
            return "connected and sent the token"

    attempt(
        "connect to the test's abstract unix socket",
        lambda: connect_and_send(socket.AF_UNIX, "\0" + TARGETS["listen_unix"]),
    )
    attempt(
        "connect to the test's TCP port on 127.0.0.1",
        lambda: connect_and_send(socket.AF_INET, ("127.0.0.1", TARGETS["listen_tcp"])),
    )
    attempt("socketpair()", lambda: [s.close() for s in socket.socketpair()])

    def bind_abstract():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
            server.bind("\0grader-attack-" + TARGETS["token"])
            server.listen()
            return "listening"

    attempt("bind and listen on an abstract unix name", bind_abstract)
