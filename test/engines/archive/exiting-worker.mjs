// A thread for the RequestThread test: echoes `echo` requests, exits with code 3 on any other.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (req) => {
  if (req.op === 'echo') parentPort.postMessage({ id: req.id, value: req.value });
  else process.exit(3);
});
