// Checks that a server answers: `node scripts/probe.mjs postgres|redis URL`. Exit 0 when it does.
// Speaks just enough of each protocol to get an answer, so it needs no installed driver.
import net from 'node:net';

const [kind, raw] = process.argv.slice(2);
const url = new URL(raw);
const port = Number(url.port || (kind === 'postgres' ? 5432 : 6379));
const host = url.hostname || '127.0.0.1';

const socket = net.connect({ host, port });
const done = (ok) => {
  socket.destroy();
  process.exit(ok ? 0 : 1);
};
socket.setTimeout(2000, () => done(false));
socket.on('error', () => done(false));
socket.on('connect', () => {
  if (kind === 'redis') {
    socket.write('*1\r\n$4\r\nPING\r\n');
  } else {
    // SSLRequest: any server answers with one byte, 'S' or 'N'.
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(80877103, 4);
    socket.write(request);
  }
});
socket.on('data', (chunk) => {
  const text = chunk.toString('latin1');
  done(
    kind === 'redis'
      ? text.startsWith('+PONG') || text.startsWith('-NOAUTH')
      : text === 'S' || text === 'N',
  );
});
