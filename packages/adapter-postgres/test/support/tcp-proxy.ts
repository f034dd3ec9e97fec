import { connect, createServer, type Socket } from 'node:net';

/** A loopback TCP proxy that can stop forwarding (a network black hole) and heal. */
export interface TcpProxy {
  port: number;
  /** Stops forwarding in both directions; bytes are held back as a stalled network would. */
  block(): void;
  /** Resumes forwarding, delivering what was held back first. */
  heal(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `targetPort`. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  let blocked = false;
  const sockets = new Set<Socket>();
  const flushers = new Set<() => void>();

  const forward = (from: Socket, to: Socket): void => {
    const held: Buffer[] = [];
    const flush = (): void => {
      for (const chunk of held.splice(0)) to.write(chunk);
    };
    flushers.add(flush);
    from.on('data', (chunk: Buffer) => {
      if (blocked) held.push(chunk);
      else to.write(chunk);
    });
    from.on('close', () => {
      flushers.delete(flush);
      to.destroy();
    });
  };

  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on one side closes both; the 'close' handlers do the rest.
      s.on('error', () => s.destroy());
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    block() {
      blocked = true;
    },
    heal() {
      blocked = false;
      for (const flush of flushers) flush();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
