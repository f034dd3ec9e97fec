import { connect, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy that a test can stall and heal. */
export interface TcpProxy {
  readonly port: number;
  /** Stops moving bytes in both directions; they wait in socket buffers, as on a stalled link. */
  stall(): void;
  /** Moves bytes again, delivering what waited. */
  heal(): void;
  /**
   * Lets the next request through, then cuts the connection before the reply comes back: the
   * server applied the command, the client never hears so.
   */
  cutAfterNextRequest(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  server: Socket;
}

/** Starts a proxy on a free loopback port in front of `targetPort`. */
export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let stalled = false;
  let cutPending = false;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, server: upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => {
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (cutPending) {
        cutPending = false;
        drop();
        return;
      }
      client.write(chunk);
    });
    if (stalled) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    stall() {
      stalled = true;
      for (const p of pairs) {
        p.client.pause();
        p.server.pause();
      }
    },
    heal() {
      stalled = false;
      for (const p of pairs) {
        p.client.resume();
        p.server.resume();
      }
    },
    cutAfterNextRequest() {
      cutPending = true;
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
