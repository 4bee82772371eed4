import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ERROR_STATUS, type ErrorCode } from '@stampede/contracts/api';

/**
 * Errors Node's HTTP parser raises before any route runs (a header section over the limit, a
 * malformed request line, a request that took too long to arrive). Node would answer them with a
 * bare status line; clients and the edge's security scanners get the same uniform body, request id
 * and headers as every other answer instead.
 */
const BY_PARSER_CODE: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'Request headers are larger than the limit' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};
const MALFORMED = { code: 'INVALID_INPUT' as const, message: 'Malformed HTTP request' };

const REASONS: Partial<Record<number, string>> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

export function answerClientError(err: NodeJS.ErrnoException, socket: Socket, headers: Record<string, string>): void {
  if (!socket.writable || (err.code === 'ECONNRESET')) {
    socket.destroy();
    return;
  }
  const { code, message } = BY_PARSER_CODE[err.code ?? ''] ?? MALFORMED;
  const status = ERROR_STATUS[code];
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code, message, requestId } });
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
