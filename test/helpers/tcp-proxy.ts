// A TCP proxy between the service and PostgreSQL, to play a database that is down, lost or
// unreachable without touching the real server (other work uses it). On its own port it can:
//   start()        accept connections and forward them to the target
//   stopAccepting() close the listening socket: new connections are refused (ECONNREFUSED)
//   cut()          destroy every open connection, both sides (what a server crash looks like)
//   hang()         accept connections but pass nothing on (a host that accepts and never answers)
//   freeze()       stop passing bytes on the connections already open, without closing them (a
//                  network path that died silently: no reset, no FIN), new ones still forwarded
// and start() again resumes forwarding on the same port.
import net from 'node:net';

export interface ProxyTarget {
  host: string;
  port: number;
}

/** A loopback port that was free a moment ago (listen on 0, read the port, close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private mode: 'forward' | 'hang' = 'forward';
  /** Connections accepted since the proxy was created (both modes). */
  accepted = 0;

  private constructor(
    readonly port: number,
    readonly target: ProxyTarget,
  ) {}

  /** A proxy on a free port, not accepting yet: call start(). */
  static async create(target: ProxyTarget = { host: '127.0.0.1', port: 5432 }): Promise<TcpProxy> {
    return new TcpProxy(await freePort(), target);
  }

  get listening(): boolean {
    return this.server !== null;
  }

  /** Open connections (client side and upstream side both count). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Accepts connections and forwards them (again, after stopAccepting() or hang()). */
  async start(): Promise<void> {
    if (this.mode === 'hang') this.cut(); // connections that never got an answer stay dead
    this.mode = 'forward';
    await this.listen();
  }

  /** Accepts connections but never forwards a byte; connections already open are cut. */
  async hang(): Promise<void> {
    this.mode = 'hang';
    this.cut();
    await this.listen();
  }

  /** New connections are refused from now on; open ones are left alone (see cut()). */
  async stopAccepting(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Open connections stop passing bytes in both directions and stay open; new ones work. */
  freeze(): void {
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
      s.removeAllListeners('data');
    }
  }

  /** Destroys every open connection, both sides, at once. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /** Refuses new connections and cuts the open ones: the database is gone. */
  async stop(): Promise<void> {
    const closing = this.stopAccepting();
    this.cut();
    await closing;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      this.accepted += 1;
      this.track(client);
      if (this.mode === 'hang') {
        client.resume(); // read and drop whatever the client sends; never answer
        return;
      }
      const upstream = net.connect(this.target.port, this.target.host);
      this.track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async close(): Promise<void> {
    await this.stop();
  }
}
