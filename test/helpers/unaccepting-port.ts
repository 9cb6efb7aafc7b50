import { spawn, type ChildProcess } from 'node:child_process';

// A listener with a backlog of 0 whose accept queue is already full: the kernel drops further SYNs, so a new
// connection neither succeeds nor fails. Node always accepts, hence a small Python listener.
const SCRIPT = `
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(8):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
print(port, flush=True)
sys.stdin.read()
`;

/** A 127.0.0.1 port where TCP connections hang in the handshake, to test connect timeouts. */
export async function startUnacceptingPort(): Promise<{ port: number; stop: () => void }> {
  const child: ChildProcess = spawn('python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
  });
  return { port, stop: () => child.kill() };
}
