/** Gives back a slot taken with `HostLimiter.acquire`; calling it twice is harmless. */
export type ReleaseSlot = () => void;

/** Caps the requests in flight per key (host:port); the others wait in FIFO order. */
export interface HostLimiter {
  /** Waits for a free slot for `key`; rejects with the signal's reason if it aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<ReleaseSlot>;
}

interface Waiter {
  grant: () => void;
}

interface HostSlots {
  active: number;
  queue: Waiter[];
}

/** Creates a limiter that lets at most `perHost` holders per key run at once. */
export function createHostLimiter(perHost: number): HostLimiter {
  if (!Number.isInteger(perHost) || perHost < 1) {
    throw new RangeError(`perHost must be a positive integer, not ${perHost}`);
  }
  const hosts = new Map<string, HostSlots>();

  const releaser = (key: string, slots: HostSlots): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slots.queue.shift();
      // Hand the slot straight to the oldest waiter, so a newcomer cannot overtake it.
      if (next) {
        next.grant();
        return;
      }
      slots.active -= 1;
      if (slots.active === 0) hosts.delete(key);
    };
  };

  return {
    acquire(key, signal) {
      signal?.throwIfAborted();
      let slots = hosts.get(key);
      if (!slots) {
        slots = { active: 0, queue: [] };
        hosts.set(key, slots);
      }
      const current = slots;
      if (current.active < perHost) {
        current.active += 1;
        return Promise.resolve(releaser(key, current));
      }
      return new Promise<ReleaseSlot>((resolve, reject) => {
        const onAbort = () => {
          const index = current.queue.indexOf(waiter);
          if (index >= 0) current.queue.splice(index, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          grant: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve(releaser(key, current));
          },
        };
        current.queue.push(waiter);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}
