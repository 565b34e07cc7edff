/** An HTTP/1.1 response read from raw bytes, as it arrives through a port-forward. */
export interface HttpResponse {
  status: number;
  body: Buffer;
}

/**
 * The response in `data` once it is complete (Content-Length reached, the last chunk of a chunked
 * body, or — with neither — when `closed`); undefined while more bytes are due.
 */
export function parseHttpResponse(data: Buffer, closed: boolean): HttpResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0])?.[1] ?? NaN);
  if (Number.isNaN(status)) throw new Error(`not an HTTP response: ${head[0].slice(0, 60)}`);
  const headers = new Map(head.slice(1).map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
  }));
  const rest = data.subarray(end + 4);
  const length = headers.get('content-length');
  if (length !== undefined) return rest.length >= Number(length) ? { status, body: rest.subarray(0, Number(length)) } : undefined;
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) return dechunk(rest, status);
  return closed ? { status, body: rest } : undefined;
}

function dechunk(data: Buffer, status: number): HttpResponse | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked body');
    if (size === 0) return { status, body: Buffer.concat(parts) };
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    parts.push(data.subarray(start, start + size));
    at = start + size + 2;
  }
}
