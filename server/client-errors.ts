// What the HTTP server answers for requests it cannot read, before Fastify sees them, and what it
// remembers of each connection. Node writes a bare status line with no body for a request that is
// not valid HTTP (400), whose headers are too large (431) or too slow (408); the API answers every
// error as JSON `{"detail": …}`, so these are too, and say nothing of what was sent.
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';

const DETAIL: Record<number, string> = {
  400: 'The request is not valid HTTP',
  408: 'The request took too long to arrive',
  413: "The request's chunk extensions are too large",
  431: "The request's headers are too large",
};

/** Node's status for a client error (as its own default answer chooses it). */
function statusOf(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

export function guardHttpServer(server: Server): void {
  // The peer's address is read once, as the connection opens: Node keeps it for the socket's
  // life, so a request whose connection broke before its checks ran (a failed webhook attempt
  // followed by bytes that are not HTTP) is still counted against its client's limit.
  server.on('connection', (socket: Socket) => void socket.remoteAddress);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: { headersSent?: boolean } }) => {
    // Written only where no answer is under way on the connection, as Node's own answer is.
    if (err.code !== 'ECONNRESET' && socket.writable && !socket._httpMessage?.headersSent) {
      const status = statusOf(err.code);
      const body = JSON.stringify({ detail: DETAIL[status] });
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(err);
  });
}
