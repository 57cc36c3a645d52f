import { describe, expect, it, vi } from 'vitest';
import { Subscribable } from '../observe/subscribable.js';
import { batch, createNotifyManager, notifyManager } from '../observe/notifyManager.js';

const microtasks = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('Subscribable', () => {
  class Counter extends Subscribable<(n: number) => void> {
    events: string[] = [];
    emit(n: number) {
      for (const listener of this.listeners) listener(n);
    }
    protected override onSubscribe() {
      this.events.push(`sub:${this.listeners.size}`);
    }
    protected override onUnsubscribe() {
      this.events.push(`unsub:${this.listeners.size}`);
    }
  }

  it('adds and removes listeners, with hooks, and a bound subscribe', () => {
    const counter = new Counter();
    const { subscribe } = counter; // detached, as useSyncExternalStore holds it
    const seen: number[] = [];
    expect(counter.hasListeners()).toBe(false);
    const off = subscribe((n) => seen.push(n));
    const off2 = subscribe((n) => seen.push(n * 10));
    expect(counter.hasListeners()).toBe(true);
    counter.emit(1);
    off();
    off(); // a second call does nothing
    counter.emit(2);
    off2();
    expect(seen).toEqual([1, 10, 20]);
    expect(counter.hasListeners()).toBe(false);
    expect(counter.events).toEqual(['sub:1', 'sub:2', 'unsub:1', 'unsub:0']);
  });
});

describe('notifyManager', () => {
  it('delivers notifications scheduled outside a batch on one microtask, each callback once', async () => {
    const manager = createNotifyManager();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    manager.schedule(a);
    manager.schedule(b);
    manager.schedule(a);
    expect(calls).toEqual([]);
    await microtasks();
    expect(calls).toEqual(['a', 'b']);
  });

  it('holds notifications scheduled inside batch() until the outermost batch ends', () => {
    const manager = createNotifyManager({ scheduler: () => {} }); // never on its own
    const calls: string[] = [];
    const a = () => calls.push('a');
    const result = manager.batch(() => {
      manager.schedule(a);
      manager.batch(() => manager.schedule(a));
      expect(calls).toEqual([]); // the inner batch ending doesn't flush
      manager.schedule(() => calls.push('b'));
      return 42;
    });
    expect(result).toBe(42);
    expect(calls).toEqual(['a', 'b']);
  });

  it('flushes when the batch throws, and one failing notification does not stop the others', () => {
    const onError = vi.fn();
    const manager = createNotifyManager({ onError });
    const calls: string[] = [];
    expect(() =>
      manager.batch(() => {
        manager.schedule(() => {
          throw new Error('listener bug');
        });
        manager.schedule(() => calls.push('after'));
        throw new Error('batch body');
      }),
    ).toThrow('batch body');
    expect(calls).toEqual(['after']);
    expect(onError).toHaveBeenCalledWith(new Error('listener bug'));
  });

  it('takes a replaceable scheduler, notify function and batch-notify function', () => {
    const pending: (() => void)[] = [];
    const manager = createNotifyManager();
    manager.setScheduler((flush) => pending.push(flush));
    const wraps: string[] = [];
    manager.setNotifyFunction((callback) => {
      wraps.push('notify');
      callback();
    });
    manager.setBatchNotifyFunction((deliver) => {
      wraps.push('batch(');
      deliver();
      wraps.push(')');
    });
    const calls: string[] = [];
    manager.schedule(() => calls.push('x'));
    manager.schedule(() => calls.push('y'));
    expect(pending).toHaveLength(1); // one flush requested for both
    expect(calls).toEqual([]);
    pending[0]!();
    expect(calls).toEqual(['x', 'y']);
    expect(wraps).toEqual(['batch(', 'notify', 'notify', ')']);
  });

  it('exports batch() over the default manager', () => {
    const calls: string[] = [];
    batch(() => {
      notifyManager.schedule(() => calls.push('x'));
      expect(calls).toEqual([]);
    });
    expect(calls).toEqual(['x']);
  });
});
