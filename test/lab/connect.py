"""Lab client: opens one TCP connection the way a process with the given socket options would.

argv: DST PORT TOKEN [--mark N] [--transparent] [--bind IP] [--timeout S]
Prints one JSON object: {"result": "connected"} after writing TOKEN and seeing the peer close, or
the failure ("refused", "timeout", "unreachable", "error") with its errno.
"""
import errno, json, socket, sys

args = sys.argv[1:]
dst, port, token = args[0], int(args[1]), args[2]
mark, transparent, bind, timeout = 0, False, None, 1.5
i = 3
while i < len(args):
    if args[i] == '--mark':
        mark = int(args[i + 1], 0); i += 2
    elif args[i] == '--transparent':
        transparent = True; i += 1
    elif args[i] == '--bind':
        bind = args[i + 1]; i += 2
    elif args[i] == '--timeout':
        timeout = float(args[i + 1]); i += 2
    else:
        raise SystemExit('unknown argument ' + args[i])

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
if mark:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
if transparent:
    s.setsockopt(socket.SOL_IP, socket.IP_TRANSPARENT, 1)
if bind:
    s.bind((bind, 0))
s.settimeout(timeout)
UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EINVAL, errno.EACCES, errno.EPERM}
try:
    s.connect((dst, port))
    s.sendall((token + '\n').encode())
    try:
        while s.recv(64):
            pass
    except OSError:
        pass
    out = {'result': 'connected', 'src': '%s:%d' % s.getsockname()}
except socket.timeout:
    out = {'result': 'timeout'}
except OSError as e:
    kind = 'refused' if e.errno == errno.ECONNREFUSED else 'unreachable' if e.errno in UNREACHABLE else 'error'
    out = {'result': kind, 'errno': errno.errorcode.get(e.errno, str(e.errno))}
print(json.dumps(out), flush=True)
