"""Lab listener: stands where a proxy or an app listens and records every connection it accepts.

argv: LOG LABEL ADDR:PORT[:transparent][:mark=N]...
Each accepted connection appends one JSON line to LOG: the netns label, the listening port, the
local and peer addresses, the original destination (SO_ORIGINAL_DST, which conntrack keeps for a
REDIRECT/DNAT; a TPROXY'd or un-NATed connection's original destination is its local address) and
the token the sender wrote. Prints "ready" once every socket listens.
"""
import json, os, selectors, socket, struct, sys

SO_ORIGINAL_DST = 80

log, label, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
sel = selectors.DefaultSelector()
for spec in specs:
    transparent, mark = False, 0
    while True:
        head, _, last = spec.rpartition(':')
        if last == 'transparent':
            transparent = True
        elif last.startswith('mark='):
            mark = int(last[5:], 0)
        else:
            break
        spec = head
    host, port = spec.rsplit(':', 1)
    v6 = host.startswith('[')
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if transparent:
        s.setsockopt(socket.SOL_IP, socket.IP_TRANSPARENT, 1)
    if mark:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
    s.bind((host.strip('[]'), int(port)))
    s.listen(128)
    sel.register(s, selectors.EVENT_READ, int(port))
print('ready', flush=True)


def unmap(addr):
    return addr[7:] if addr.startswith('::ffff:') else addr


def original_dst(conn, local):
    try:
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
        port, = struct.unpack_from('!H', raw, 2)
        return '%s:%d' % (socket.inet_ntoa(raw[4:8]), port)
    except OSError:
        return local


while True:
    for key, _ in sel.select():
        conn, peer = key.fileobj.accept()
        local = conn.getsockname()
        local_s = '%s:%d' % (unmap(local[0]), local[1])
        conn.settimeout(2)
        token = b''
        try:
            while not token.endswith(b'\n') and len(token) < 128:
                chunk = conn.recv(128)
                if not chunk:
                    break
                token += chunk
        except OSError:
            pass
        line = json.dumps({'label': label, 'port': key.data, 'local': local_s, 'peer': '%s:%d' % (unmap(peer[0]), peer[1]),
                           'originalDst': original_dst(conn, local_s), 'token': token.decode(errors='replace').strip()})
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.write(fd, (line + '\n').encode())
        os.close(fd)
        conn.close()
