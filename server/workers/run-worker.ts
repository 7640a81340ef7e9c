// A run worker's entry point: loads the program (its top-level code runs here, never on the main
// thread), tells the main thread what it serves, then runs the jobs it is sent, batching the
// ones on one root that wait together. The main thread stops a worker from outside (terminate)
// when a run passes its time budget; its heap limit ends it when a run allocates too much.
import { parentPort, receiveMessageOnPort, threadId, workerData } from 'node:worker_threads';
import { formatDiagnostic } from '../../grammar/index.ts';
import { RootFiles } from '../../runtime/store/root-files.ts';
import { loadApp, LoadFailure, type LoadedApp } from '../loader.ts';
import { manifestOf } from '../manifest.ts';
import type { Job, ToWorker, WorkerConfig, WorkerMessage } from './messages.ts';
import { Runner } from './runner.ts';
import { TaskSink } from '../schedule/create-task.ts';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (message: WorkerMessage) => port.postMessage(message);

let app: LoadedApp | null = null;
const tasks = new TaskSink();
try {
  app = loadApp(config.files, config.print ? (text) => void process.stdout.write(text) : () => undefined, { collectReturns: config.showReturns, hostModules: tasks.modules() });
} catch (e) {
  if (!(e instanceof LoadFailure)) throw e;
  post({ kind: 'load-failed', message: e.diagnostics.map(({ diagnostic, source }) => formatDiagnostic(diagnostic, source)).join('\n') });
}

if (app) {
  // A shared store is loaded only when named, so a data dir's workers never load the driver.
  const store = config.storeUrl ? (await import('../../runtime/store/postgres/graphs.ts')).PgGraphs.connect(config.storeUrl) : new RootFiles(config.dataDir);
  const runner = new Runner(app, store, config, post, `w${threadId}`, tasks);
  // Idle graphs go even while no job comes to trim the cache after it.
  setInterval(() => runner.graphs.trim(), Math.max(1_000, Math.min(30_000, config.cacheIdleSeconds * 1000))).unref();
  const inbox: Job[] = [];
  let closing = false;
  const take = (m: ToWorker) => {
    if (m.kind === 'close') closing = true;
    else inbox.push(...m.jobs);
  };
  /** Moves what has arrived into the inbox, without yielding to the event loop. */
  const drain = () => {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message as ToWorker);
  };
  /** The next waiting job on `root`, taken out of the inbox (jobs of other roots keep their place). */
  const nextOn = (root: string): Job | undefined => {
    drain();
    const i = inbox.findIndex((j) => j.root === root);
    return i === -1 ? undefined : inbox.splice(i, 1)[0];
  };
  let pumping = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      for (drain(); inbox.length > 0; drain()) {
        const first = inbox.shift()!;
        await runner.runBatch(first, () => nextOn(first.root));
      }
    } finally {
      pumping = false;
    }
    // Sent only once this worker has no jobs: with the port closed, the thread ends by itself.
    if (closing) port.close();
  };
  port.on('message', (m: ToWorker) => {
    take(m);
    void pump();
  });
  post({ kind: 'ready', manifest: manifestOf(app) });
}
