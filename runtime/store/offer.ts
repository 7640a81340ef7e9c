// A store keeps its job queue and delivery log in objects of their own (job-file.ts; postgres/
// jobs.ts and deliveries.ts) and offers their methods as its own, each refused once the store is
// closed. The method lists are typed as records of the interfaces' keys, so a method added to an
// interface and not listed here is a type error rather than a store that lacks it.
import type { DeliveryLog, JobQueue } from './store.ts';

const JOB_QUEUE: Record<keyof JobQueue, true> = {
  enqueueJob: true,
  countOpenJobs: true,
  claimJob: true,
  finishJob: true,
  retryJob: true,
  findJob: true,
  listJobs: true,
  requeueJob: true,
  cancelJob: true,
  pruneJobs: true,
  renewJobs: true,
  registerSchedule: true,
  fireSchedule: true,
};

const DELIVERY_LOG: Record<keyof DeliveryLog, true> = {
  logDelivery: true,
  tellDeliveries: true,
  findDelivery: true,
  listDeliveries: true,
  pruneDeliveries: true,
};

/** Puts `from`'s methods named in `names` on `store`: each calls `assertOpen` first, but those in `unchecked`. */
function offer<T extends object>(store: object, from: T, names: Record<keyof T, true>, assertOpen: () => void, unchecked: readonly (keyof T)[]): void {
  for (const name of Object.keys(names) as (keyof T & string)[]) {
    const method = (from[name] as (...args: unknown[]) => unknown).bind(from);
    const value = unchecked.includes(name)
      ? method
      : (...args: unknown[]) => {
          assertOpen();
          return method(...args);
        };
    Object.defineProperty(store, name, { value, enumerable: false });
  }
}

export function offerJobQueue(store: object, queue: JobQueue, assertOpen: () => void, unchecked: readonly (keyof JobQueue)[] = []): void {
  offer(store, queue, JOB_QUEUE, assertOpen, unchecked);
}

export function offerDeliveryLog(store: object, log: DeliveryLog, assertOpen: () => void): void {
  offer(store, log, DELIVERY_LOG, assertOpen, []);
}
