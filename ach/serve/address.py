"""Which addresses name the workbench: the Host and Origin checks, and the addresses to print.

A request is answered only when its ``Host`` header names the server by one of
its own names *and* the port it serves: ``localhost:3000`` is another program
(another developer tool, another page), not this server. A change is taken
only when the browser's ``Origin``, if it sends one, is ``http://`` one of those
same addresses. Bound to this machine's loopback (the default), the names are
127.0.0.1, localhost and [::1]; bound to a network address, that address too;
bound to every interface (``0.0.0.0`` or ``::``), also the names and addresses
this machine knows itself by, so that a colleague's browser typing one of the
printed addresses gets in, and a page that rebinds its own DNS name does not.
"""

from __future__ import annotations

import ipaddress
import socket

__all__ = [
    "LOOPBACK_NAMES",
    "WILDCARDS",
    "accepts",
    "authority",
    "is_loopback",
    "machine_names",
    "names_for",
    "spelled",
    "urls",
]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARDS = ("0.0.0.0", "::", "")  # every interface
HTTP_PORT = 80  # what a Host or an Origin without a port means
# Documentation addresses (RFC 5737, RFC 3849): "connecting" a UDP socket to one sends nothing and
# tells which local address the machine's default route would use.
PROBES = ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1"))


def spelled(host: str) -> str:
    """A host as a Host header spells it: lower case, an IPv6 address in brackets."""
    host = host.strip().lower()
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def is_loopback(host: str) -> bool:
    """True for an address (or ``localhost``) that only this machine can reach."""
    host = host.strip().lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def authority(value: str) -> tuple[str, int] | None:
    """``("localhost", 8765)`` for ``localhost:8765`` (a Host header, or an Origin after its
    ``http://``); the port is 80 when none is given; None for anything malformed."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8765
        close = value.find("]")
        host, rest = value[: close + 1], value[close + 1 :]
        if close < 0 or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    elif value.count(":") == 1:
        host, port = value.split(":")
    elif ":" in value:
        return None  # an IPv6 address without brackets is not a Host
    else:
        host, port = value, None
    if not host or (port is not None and not (port.isdigit() and 0 < int(port) < 65536)):
        return None
    return host, HTTP_PORT if port is None else int(port)


def accepts(value: str | None, names, port: int | None, *, origin: bool = False) -> bool:
    """Whether a Host header (``origin``: an Origin header) names this server: one of ``names``
    with the served ``port`` (scheme ``http`` for an Origin; the server speaks nothing else)."""
    if value is None or port is None:
        return False
    if origin:
        scheme, sep, value = value.partition("://")
        if scheme.lower() != "http" or not sep or "/" in value:
            return False
    found = authority(value)
    return found is not None and found[0] in names and found[1] == port


def machine_names() -> list[str]:
    """The names and addresses this machine knows itself by (as a Host spells them), loopback aside:
    its host name and full name, their addresses, and the address of its default route."""
    found: list[str] = []

    def add(name: str) -> None:
        name = spelled(name.split("%", 1)[0])  # fe80::1%eth0: the zone is not part of a Host
        if name and name not in found and name.strip("[]") and not is_loopback(name):
            found.append(name)

    hostname = socket.gethostname()
    add(hostname)
    for name in (socket.getfqdn(hostname), hostname):
        add(name)
        try:
            for *_, sockaddr in socket.getaddrinfo(name, None, type=socket.SOCK_STREAM):
                add(str(sockaddr[0]))
        except (OSError, UnicodeError):
            pass
    for family, probe in PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                add(str(s.getsockname()[0]))
        except OSError:  # no route of that family: no such address
            pass
    return found


def names_for(bind: str) -> tuple[str, ...]:
    """The names a browser may call a server bound to ``bind`` (the ``--host`` given) by."""
    bind = bind.strip().lower()
    if bind in WILDCARDS:
        return LOOPBACK_NAMES + tuple(machine_names())
    if is_loopback(bind):
        return tuple(dict.fromkeys((*LOOPBACK_NAMES, spelled(bind))))
    names = [spelled(bind)]
    try:
        ipaddress.ip_address(bind)
    except ValueError:  # a host name: its addresses too, as it resolves here
        try:
            names += [spelled(str(a[4][0])) for a in socket.getaddrinfo(bind, None, type=socket.SOCK_STREAM)]
        except (OSError, UnicodeError):
            pass
    return tuple(dict.fromkeys(names))


def urls(bind: str, port: int, names=None) -> tuple[str, list[str]]:
    """(the address to open on this machine, the addresses other machines may use) for a server
    bound to ``bind``; ``names``: what :func:`names_for` gave (looked up again when None)."""
    names = names_for(bind) if names is None else names
    others = [f"http://{n}:{port}/" for n in names if not is_loopback(n)]
    if bind.strip().lower() in WILDCARDS:
        return f"http://127.0.0.1:{port}/", others
    if is_loopback(bind):
        return f"http://{spelled(bind)}:{port}/", others
    return others[0], others[1:]
