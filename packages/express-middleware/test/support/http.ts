import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** A running app on a random loopback port. */
export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Starts `app` on 127.0.0.1 with a random port and resolves once it listens. */
export function start(app: Express): Promise<Running> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => {
      if (error) return reject(error);
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((closeError) => (closeError ? fail(closeError) : done()));
          }),
      });
    });
  });
}

/** What a test needs from one HTTP exchange. */
export interface Reply {
  status: number;
  text: string;
  headers: Headers;
  /** Every Set-Cookie header line. */
  setCookies: string[];
  /** `name=value` of the first Set-Cookie line, ready for a Cookie header. */
  cookie: string | undefined;
}

/** Sends one real HTTP request. */
export async function send(
  url: string,
  options: { method?: string; cookie?: string | undefined; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(url, { method: options.method ?? 'POST', headers });
  const text = await response.text();
  const setCookies = response.headers.getSetCookie();
  return {
    status: response.status,
    text,
    headers: response.headers,
    setCookies,
    cookie: setCookies[0]?.split(';')[0],
  };
}

/** A promise with its resolve function, for gates that tests open by hand. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
