/**
 * The baseline: a bare node:http server that answers every request with the bytes of one file.
 *   node --import tsx bench/bare-server.ts <bodyFile> [port]
 *
 * Nothing but Node's HTTP stack: no routing, auth, database or logging. Its throughput is the
 * ceiling the full stack is compared with. Same process protocol as bench/server-fixture.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const [bodyFile, portArg = '0'] = process.argv.slice(2);
if (!bodyFile || !/^\d{1,5}$/.test(portArg)) {
  process.stderr.write('usage: node --import tsx bench/bare-server.ts <bodyFile> [port]\n');
  process.exit(2);
}

const body = readFileSync(bodyFile);
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});

server.listen(Number(portArg), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  if (process.send) process.send({ type: 'ready', url: `http://127.0.0.1:${port}` });
  else process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (process.send) process.on('disconnect', stop);
