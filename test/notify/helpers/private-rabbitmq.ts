/**
 * A RabbitMQ node of the test's own (its own node name, ports, data and log directories), so a test can
 * really stop and restart a broker without touching the machine's shared one on 5672. The node runs in
 * the foreground as a child of the test process; stop() sends SIGTERM (RabbitMQ's orderly shutdown) and
 * waits for it to exit; start() boots it again on the same data. If the test process ends without close(),
 * the node is killed on exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PrivateRabbit {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

// The Debian/Ubuntu package's own script (the one in PATH there re-runs itself as the rabbitmq user).
const SERVER = existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')
  ? '/usr/lib/rabbitmq/bin/rabbitmq-server'
  : 'rabbitmq-server';
const BOOT_TIMEOUT_MS = 120_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openimm-rabbit-'));
  const port = await freePort();
  const distPort = await freePort();
  const node = `openimm-test-${port}@localhost`;
  await writeFile(path.join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  await writeFile(path.join(dir, 'enabled_plugins'), '[].\n');
  await writeFile(path.join(dir, 'rabbitmq-env.conf'), '');
  const env = {
    ...process.env,
    HOME: dir, // the Erlang cookie
    RABBITMQ_CONF_ENV_FILE: path.join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  let child: ChildProcess | undefined;
  let output = '';
  // The script runs the Erlang VM as its child: on exit, kill the whole process group.
  const killOnExit = () => {
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  };
  process.on('exit', killOnExit);

  async function start(): Promise<void> {
    output = '';
    const c = spawn(SERVER, [], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = c;
    const keep = (b: Buffer) => {
      output = (output + b.toString('utf8')).slice(-4000);
    };
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (c.exitCode !== null || c.signalCode !== null) {
        throw new Error(`the test's RabbitMQ node exited while booting:\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`the test's RabbitMQ node did not boot:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function stop(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const slow = setTimeout(killOnExit, 60_000);
    await exited;
    clearTimeout(slow);
    // The shell script's Erlang VM is its child: make sure the port is free before reporting it stopped.
    while (await accepts(port)) await new Promise((r) => setTimeout(r, 100));
  }

  await start();
  return {
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
