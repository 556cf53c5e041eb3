import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { createServer as createTlsServer, TLSSocket } from "node:tls";
import { TEST_TLS_CERT, TEST_TLS_KEY } from "./tls-identity";

/**
 * A minimal SMTP server (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, AUTH PLAIN)
 * that records what it receives. Test helper for the e-mail sender. With `tls`, it speaks TLS with
 * the test certificate for `smtp.alfred.test`: `implicit` from the first byte (smtps), `starttls`
 * after the client asks (advertised in EHLO).
 */

export interface FakeSmtpOptions {
  tls?: "implicit" | "starttls";
}

export interface FakeSmtpMessage {
  mailFrom: string;
  rcptTo: string[];
  /** The DATA section, dot-unstuffed, CRLF line ends. */
  data: string;
  /** Header fields, unfolded, names lowercased (first occurrence wins). */
  headers: Map<string, string>;
  body: string;
}

export interface FakeSmtpServer {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  messages: FakeSmtpMessage[];
  /** Reply given to RCPT TO instead of 250, e.g. `550 5.1.1 No such user` or `451 4.7.1 Try later`. */
  rcptReply: string | null;
  /** Commands received, in order (for protocol assertions). */
  commands: string[];
  /** Per connection: the address it came from, and the name it asked for in TLS (SNI), once secured. */
  connections: { remoteAddress: string | undefined; tlsServername: string | null }[];
  /** `user` of every successful AUTH PLAIN. */
  authenticatedUsers: string[];
  close(): Promise<void>;
}

export function parseHeaders(data: string): { headers: Map<string, string>; body: string } {
  const split = data.indexOf("\r\n\r\n");
  const head = split === -1 ? data : data.slice(0, split);
  const body = split === -1 ? "" : data.slice(split + 4);
  const headers = new Map<string, string>();
  const unfolded = head.replace(/\r\n([ \t])/g, "$1");
  for (const line of unfolded.split("\r\n")) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(i + 1).trim());
  }
  return { headers, body };
}

const angle = (arg: string) => /<([^>]*)>/.exec(arg)?.[1] ?? arg.trim();

const tlsIdentity = { key: TEST_TLS_KEY, cert: TEST_TLS_CERT };

export async function startFakeSmtpServer(options: FakeSmtpOptions = {}): Promise<FakeSmtpServer> {
  const sockets = new Set<Socket>();
  const state: FakeSmtpServer = {
    url: "",
    messages: [],
    rcptReply: null,
    commands: [],
    connections: [],
    authenticatedUsers: [],
    close: async () => undefined,
  };

  const onConnection = (accepted: Socket) => {
    let socket = accepted;
    const connection = { remoteAddress: socket.remoteAddress, tlsServername: socket instanceof TLSSocket ? tlsServernameOf(socket) : null };
    state.connections.push(connection);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setEncoding("utf8");
    const send = (line: string) => socket.write(`${line}\r\n`);
    let buffer = "";
    let inData = false;
    let dataLines: string[] = [];
    let mailFrom: string | null = null;
    let rcptTo: string[] = [];

    const onLine = (line: string) => {
      if (inData) {
        if (line === ".") {
          inData = false;
          const data = dataLines.join("\r\n");
          const { headers, body } = parseHeaders(data);
          state.messages.push({ mailFrom: mailFrom ?? "", rcptTo, data, headers, body });
          mailFrom = null;
          rcptTo = [];
          dataLines = [];
          send("250 2.0.0 Ok: queued");
        } else dataLines.push(line.startsWith(".") ? line.slice(1) : line);
        return;
      }
      state.commands.push(line);
      if (line.toUpperCase() === "STARTTLS") return startTls();
      const verb = line.slice(0, 4).toUpperCase();
      const arg = line.slice(5);
      switch (verb) {
        case "EHLO":
          send("250-fake.smtp.test Hello");
          if (options.tls === "starttls" && !(socket instanceof TLSSocket)) send("250-STARTTLS");
          send("250-AUTH PLAIN");
          send("250-8BITMIME");
          send("250 SIZE 10485760");
          return;
        case "AUTH": {
          const [mechanism, initial] = arg.split(" ");
          if (mechanism?.toUpperCase() !== "PLAIN" || !initial) return send("504 5.5.4 Unrecognized authentication type");
          const [, user = ""] = Buffer.from(initial, "base64").toString("utf8").split("\u0000");
          state.authenticatedUsers.push(user);
          return send("235 2.7.0 Authentication successful");
        }
        case "HELO":
          return send("250 fake.smtp.test");
        case "MAIL":
          if (!/^FROM:/i.test(arg)) return send("501 5.5.4 Syntax: MAIL FROM:<address>");
          mailFrom = angle(arg.slice(5));
          rcptTo = [];
          return send("250 2.1.0 Ok");
        case "RCPT":
          if (mailFrom === null) return send("503 5.5.1 Error: need MAIL command");
          if (!/^TO:/i.test(arg)) return send("501 5.5.4 Syntax: RCPT TO:<address>");
          if (state.rcptReply) return send(state.rcptReply);
          rcptTo.push(angle(arg.slice(3)));
          return send("250 2.1.5 Ok");
        case "DATA":
          if (rcptTo.length === 0) return send("503 5.5.1 Error: need RCPT command");
          inData = true;
          return send("354 End data with <CR><LF>.<CR><LF>");
        case "RSET":
          mailFrom = null;
          rcptTo = [];
          return send("250 2.0.0 Ok");
        case "NOOP":
          return send("250 2.0.0 Ok");
        case "QUIT":
          send("221 2.0.0 Bye");
          socket.end();
          return;
        default:
          return send("502 5.5.2 Error: command not recognized");
      }
    };

    function startTls() {
      if (options.tls !== "starttls" || socket instanceof TLSSocket) return send("502 5.5.2 Error: command not recognized");
      send("220 2.0.0 Ready to start TLS");
      socket.removeAllListeners("data");
      const secure = new TLSSocket(socket, { isServer: true, ...tlsIdentity });
      secure.setEncoding("utf8");
      secure.on("error", () => undefined);
      secure.once("secure", () => (connection.tlsServername = tlsServernameOf(secure)));
      secure.on("data", onData);
      socket = secure;
      buffer = "";
      mailFrom = null;
      rcptTo = [];
    }

    function onData(chunk: string) {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        onLine(line);
      }
    }
    socket.on("data", onData);
    send("220 fake.smtp.test ESMTP ready");
  };

  const server = options.tls === "implicit" ? createTlsServer(tlsIdentity, onConnection) : createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `${options.tls === "implicit" ? "smtps" : "smtp"}://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** The name the client asked for (SNI); false when it sent none. */
function tlsServernameOf(socket: TLSSocket): string | null {
  const name = (socket as TLSSocket & { servername?: string | false }).servername;
  return typeof name === "string" ? name : null;
}
