import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface ConnectionTrap {
  /** 127.0.0.1 port nothing should reach: it is never on the allow-list. */
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A TCP listener on loopback that counts every connection (HTTP, SMTP, anything) and answers
 * nothing: the stand-in for an internal service a tenant's URL must never reach.
 */
export async function startConnectionTrap(): Promise<ConnectionTrap> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
