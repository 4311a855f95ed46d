/** A webhook receiver on a real socket: records every delivery, and answers what the test says. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordResponse } from './capture.ts';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; offerId: string; operation?: { id: string; type: string; status: string } };
}

export interface Receiver {
  url: string;
  received: Received[];
  /** How to answer the next delivery: a status, or 'hang' (never answer). Default 200. */
  answer: (received: Received) => number | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = { url: '', received: [], answer: () => 200, close: async () => {} };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received = { headers: request.headers, body, event: JSON.parse(body) };
      // The leak scan reads webhook bodies too: no token or secret value may be in one.
      recordResponse('webhook', 'POST', receiver.url, 200, body);
      receiver.received.push(received);
      const answer = receiver.answer(received);
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
