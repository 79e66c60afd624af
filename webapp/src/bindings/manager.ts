// BindingsManager decides when to fetch /api/v1/bindings:
//
// - on a channel (or team) switch, on reconnect and on the refresh_bindings
//   websocket event, debounced: a burst of triggers makes one request;
// - a channel switch aborts the request in flight (AbortController) and any
//   pending one, so an old channel's answer never lands;
// - after a failure (plugin disabled → 404, errors, network) it backs off
//   exponentially and never polls: nothing is fetched until something asks
//   again, and what asks during the back-off window is folded into a single
//   request when the window ends;
// - after plugin_disabled it stops until plugin_enabled.

import {ClientError, isAbortError, type BindingsQuery} from '../client';
import type {Binding} from '../types/apps';

import {
    BINDINGS_CLEAR,
    BINDINGS_DISABLED,
    BINDINGS_FAILURE,
    BINDINGS_REQUEST,
    BINDINGS_SUCCESS,
    type BindingsAction,
} from './reducer';
import {fillBindings} from './utils';

export interface BackoffOptions {
    // First delay after a failure; doubles with every further failure.
    baseMs: number;
    maxMs: number;
}

export interface BindingsManagerOptions {
    fetchBindings: (q: BindingsQuery, signal: AbortSignal) => Promise<Binding[]>;
    dispatch: (action: BindingsAction) => void;
    debounceMs?: number;
    backoff?: BackoffOptions;
    now?: () => number;
}

export const DEFAULT_DEBOUNCE_MS = 250;
export const DEFAULT_BACKOFF: BackoffOptions = {baseMs: 2000, maxMs: 5 * 60 * 1000};

export function backoffDelay(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
    if (failures <= 0) {
        return 0;
    }
    return Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(failures - 1, 30));
}

export type RefreshReason = 'channel' | 'reconnect' | 'websocket' | 'call' | 'admin' | 'manual';

export class BindingsManager {
    private readonly opts: Required<Omit<BindingsManagerOptions, 'now'>> & {now: () => number};

    private channelId = '';
    private teamId = '';
    private timer: ReturnType<typeof setTimeout> | null = null;
    private inFlight: AbortController | null = null;
    private failures = 0;
    private retryAt = 0;
    private disabled = false;
    private stopped = false;

    // For tests and diagnostics.
    public requests = 0;

    constructor(opts: BindingsManagerOptions) {
        this.opts = {
            debounceMs: DEFAULT_DEBOUNCE_MS,
            backoff: DEFAULT_BACKOFF,
            now: () => Date.now(),
            ...opts,
        };
    }

    public get target(): {channelId: string; teamId: string} {
        return {channelId: this.channelId, teamId: this.teamId};
    }

    public get isBackingOff(): boolean {
        return this.failures > 0 && this.opts.now() < this.retryAt;
    }

    // setTarget is called on every store change; it acts only on a switch.
    // The first target is fetched at once, later switches debounced.
    public setTarget(channelId: string, teamId: string): void {
        if (channelId === this.channelId && teamId === this.teamId) {
            return;
        }
        const first = !this.channelId && !this.teamId;
        this.channelId = channelId;
        this.teamId = teamId;
        this.cancel();
        if (!channelId && !teamId) {
            this.opts.dispatch({type: BINDINGS_CLEAR});
            return;
        }
        this.schedule(first ? 0 : this.opts.debounceMs);
    }

    // refresh asks for a (debounced) fetch for the current target.
    public refresh(_reason: RefreshReason = 'manual'): void {
        if (!this.channelId && !this.teamId) {
            return;
        }
        this.schedule(this.opts.debounceMs);
    }

    // pluginDisabled stops fetching (websocket plugin_disabled).
    public pluginDisabled(): void {
        this.disabled = true;
        this.cancel();
        this.opts.dispatch({type: BINDINGS_DISABLED});
    }

    // pluginEnabled resumes, with a fresh back-off (websocket plugin_enabled).
    public pluginEnabled(): void {
        if (!this.disabled) {
            return;
        }
        this.disabled = false;
        this.failures = 0;
        this.retryAt = 0;
        this.refresh('websocket');
    }

    public stop(): void {
        this.stopped = true;
        this.cancel();
    }

    // cancel drops the pending fetch and aborts the one in flight.
    private cancel(): void {
        if (this.timer !== null) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        if (this.inFlight) {
            this.inFlight.abort();
            this.inFlight = null;
        }
    }

    private schedule(delayMs: number): void {
        if (this.stopped || this.disabled) {
            return;
        }
        if (this.timer !== null) {
            clearTimeout(this.timer);
        }
        // During back-off every trigger is folded into one fetch at retryAt.
        const wait = Math.max(delayMs, this.retryAt - this.opts.now(), 0);
        this.timer = setTimeout(() => {
            this.timer = null;
            void this.fetchNow();
        }, wait);
    }

    // fetchNow fetches at once (the timer calls it; tests may too).
    public async fetchNow(): Promise<void> {
        if (this.stopped || this.disabled) {
            return;
        }
        if (this.inFlight) {
            this.inFlight.abort();
        }
        const controller = new AbortController();
        this.inFlight = controller;
        const channelId = this.channelId;
        const teamId = this.teamId;
        this.requests++;
        this.opts.dispatch({type: BINDINGS_REQUEST, channelId, teamId});

        try {
            const bindings = await this.opts.fetchBindings({channelId, teamId}, controller.signal);
            if (controller.signal.aborted) {
                return;
            }
            this.failures = 0;
            this.retryAt = 0;
            this.opts.dispatch({
                type: BINDINGS_SUCCESS,
                channelId,
                teamId,
                bindings: fillBindings(bindings),
                at: this.opts.now(),
            });
        } catch (err) {
            if (controller.signal.aborted || isAbortError(err)) {
                return;
            }
            this.failures++;
            this.retryAt = this.opts.now() + backoffDelay(this.failures, this.opts.backoff);
            const message = err instanceof ClientError ? `${err.status}: ${err.message}` : String((err as Error)?.message ?? err);
            this.opts.dispatch({
                type: BINDINGS_FAILURE,
                channelId,
                teamId,
                error: message,
                failures: this.failures,
                retryAt: this.retryAt,
            });
        } finally {
            if (this.inFlight === controller) {
                this.inFlight = null;
            }
        }
    }
}
