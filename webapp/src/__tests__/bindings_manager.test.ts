import {BindingsManager, backoffDelay} from '../bindings/manager';
import {
    BINDINGS_FAILURE,
    BINDINGS_SUCCESS,
    bindingsReducer,
    initialBindingsState,
    type BindingsAction,
    type BindingsState,
} from '../bindings/reducer';
import {ClientError} from '../client';
import type {Binding} from '../types/apps';

const TOP: Binding[] = [
    {location: '/channel_header', bindings: [{app_id: 'hello', label: 'Send', icon: 'http://x/i.png', submit: {path: '/send'}}]},
    {location: '/post_menu', bindings: [{app_id: 'hello', location: 'more', label: 'More', bindings: [{label: 'Sub', submit: {path: '/sub'}}]}]},
];

interface Deferred<T> {
    promise: Promise<T>;
    resolve: (v: T) => void;
    reject: (e: unknown) => void;
}

function deferred<T>(): Deferred<T> {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    return {promise, resolve, reject};
}

function setup(fetchImpl: (q: {channelId: string; teamId: string}, signal: AbortSignal) => Promise<Binding[]>) {
    const actions: BindingsAction[] = [];
    let state: BindingsState = initialBindingsState;
    const fetchBindings = jest.fn(fetchImpl);
    const manager = new BindingsManager({
        fetchBindings,
        dispatch: (a) => {
            actions.push(a);
            state = bindingsReducer(state, a);
        },
        debounceMs: 200,
        backoff: {baseMs: 2000, maxMs: 60000},
    });
    return {manager, fetchBindings, actions, state: () => state};
}

describe('BindingsManager', () => {
    beforeEach(() => {
        jest.useFakeTimers();
    });
    afterEach(() => {
        jest.useRealTimers();
    });

    it('fetches the first channel at once and stores filled-in bindings', async () => {
        const {manager, fetchBindings, state} = setup(async () => TOP);
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);

        expect(fetchBindings).toHaveBeenCalledTimes(1);
        expect(fetchBindings.mock.calls[0][0]).toEqual({channelId: 'chan1', teamId: 'team1'});
        expect(state().status).toBe('ok');
        expect(state().channelId).toBe('chan1');
        const header = state().bindings[0].bindings![0];
        expect(header.location).toBe('/channel_header/Send');
        const sub = state().bindings[1].bindings![0].bindings![0];
        expect(sub.location).toBe('/post_menu/more/Sub');
        expect(sub.app_id).toBe('hello');
    });

    it('debounces a burst of refresh triggers into one request', async () => {
        const {manager, fetchBindings} = setup(async () => TOP);
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);
        fetchBindings.mockClear();

        manager.refresh('websocket');
        await jest.advanceTimersByTimeAsync(50);
        manager.refresh('websocket');
        manager.refresh('reconnect');
        await jest.advanceTimersByTimeAsync(150);
        manager.refresh('websocket');
        expect(fetchBindings).not.toHaveBeenCalled();

        await jest.advanceTimersByTimeAsync(200);
        expect(fetchBindings).toHaveBeenCalledTimes(1);
        await jest.advanceTimersByTimeAsync(5000);
        expect(fetchBindings).toHaveBeenCalledTimes(1);
    });

    it('aborts the request in flight on a channel switch and drops its answer', async () => {
        const first = deferred<Binding[]>();
        const signals: AbortSignal[] = [];
        const {manager, fetchBindings, actions, state} = setup((q, signal) => {
            signals.push(signal);
            return q.channelId === 'chan1' ? first.promise : Promise.resolve([{location: '/channel_header', bindings: []}]);
        });
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);
        expect(fetchBindings).toHaveBeenCalledTimes(1);

        manager.setTarget('chan2', 'team1');
        expect(signals[0].aborted).toBe(true);

        // The old channel's answer arrives late: ignored.
        first.resolve(TOP);
        await jest.advanceTimersByTimeAsync(0);
        expect(actions.filter((a) => a.type === BINDINGS_SUCCESS)).toHaveLength(0);

        await jest.advanceTimersByTimeAsync(200);
        expect(fetchBindings).toHaveBeenCalledTimes(2);
        expect(fetchBindings.mock.calls[1][0].channelId).toBe('chan2');
        expect(state().channelId).toBe('chan2');
        expect(state().status).toBe('ok');
    });

    it('cancels a pending refresh on a channel switch', async () => {
        const {manager, fetchBindings} = setup(async () => TOP);
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);
        fetchBindings.mockClear();

        manager.refresh('websocket');
        await jest.advanceTimersByTimeAsync(100);
        manager.setTarget('chan2', 'team1');
        manager.setTarget('chan2', 'team1'); // same target: no-op
        await jest.advanceTimersByTimeAsync(1000);
        expect(fetchBindings).toHaveBeenCalledTimes(1);
        expect(fetchBindings.mock.calls[0][0].channelId).toBe('chan2');
    });

    it('backs off after errors and never polls', async () => {
        let fail = true;
        const {manager, fetchBindings, actions, state} = setup(async () => {
            if (fail) {
                throw new ClientError('plugin is disabled', 404, 'http://x');
            }
            return TOP;
        });
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);
        expect(fetchBindings).toHaveBeenCalledTimes(1);
        expect(state().status).toBe('error');
        expect(state().failures).toBe(1);
        expect(state().error).toContain('404');

        // Nothing asks: nothing is fetched, however long we wait.
        await jest.advanceTimersByTimeAsync(10 * 60 * 1000);
        expect(fetchBindings).toHaveBeenCalledTimes(1);

        // A trigger after the window: one fetch, which fails again → 4 s.
        manager.refresh('websocket');
        await jest.advanceTimersByTimeAsync(200);
        expect(fetchBindings).toHaveBeenCalledTimes(2);
        expect(state().failures).toBe(2);
        const failure = actions.filter((a) => a.type === BINDINGS_FAILURE).pop() as Extract<BindingsAction, {type: typeof BINDINGS_FAILURE}>;
        expect(failure.retryAt - Date.now()).toBe(4000);
        expect(manager.isBackingOff).toBe(true);

        // Triggers inside the window, a channel switch included, fold into
        // one request when it ends.
        manager.refresh('websocket');
        manager.refresh('reconnect');
        manager.setTarget('chan2', 'team1');
        await jest.advanceTimersByTimeAsync(3900);
        expect(fetchBindings).toHaveBeenCalledTimes(2);
        fail = false;
        await jest.advanceTimersByTimeAsync(100);
        expect(fetchBindings).toHaveBeenCalledTimes(3);
        expect(fetchBindings.mock.calls[2][0].channelId).toBe('chan2');
        expect(state().status).toBe('ok');
        expect(state().failures).toBe(0);
        expect(manager.isBackingOff).toBe(false);

        // Healthy again: normal debounce.
        manager.refresh('websocket');
        await jest.advanceTimersByTimeAsync(200);
        expect(fetchBindings).toHaveBeenCalledTimes(4);
    });

    it('grows the back-off exponentially up to a cap', () => {
        const opts = {baseMs: 2000, maxMs: 60000};
        expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, opts))).toEqual([0, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
        expect(backoffDelay(1000, opts)).toBe(60000);
    });

    it('stops on plugin_disabled and resumes on plugin_enabled', async () => {
        const {manager, fetchBindings, state} = setup(async () => TOP);
        manager.setTarget('chan1', 'team1');
        await jest.advanceTimersByTimeAsync(0);
        manager.pluginDisabled();
        expect(state().status).toBe('disabled');
        expect(state().bindings).toEqual([]);

        manager.refresh('websocket');
        manager.setTarget('chan2', 'team1');
        await jest.advanceTimersByTimeAsync(60000);
        expect(fetchBindings).toHaveBeenCalledTimes(1);

        manager.pluginEnabled();
        await jest.advanceTimersByTimeAsync(200);
        expect(fetchBindings).toHaveBeenCalledTimes(2);
        expect(fetchBindings.mock.calls[1][0].channelId).toBe('chan2');
        expect(state().status).toBe('ok');
    });

    it('does nothing after stop()', async () => {
        const {manager, fetchBindings} = setup(async () => TOP);
        manager.stop();
        manager.setTarget('chan1', 'team1');
        manager.refresh();
        await jest.advanceTimersByTimeAsync(5000);
        expect(fetchBindings).not.toHaveBeenCalled();
    });
});
