// Fetch wrapper for requests from the web app to the Mattermost server:
// the session cookie goes along (credentials: include), and every request
// carries X-Requested-With: XMLHttpRequest and, when the MMCSRF cookie is
// set, X-CSRF-Token, as the web app's own Client4 does. Without them a
// cookie-authenticated POST reaches the plugin unauthenticated.

export class ClientError extends Error {
    public readonly status: number;
    public readonly url: string;

    constructor(message: string, status: number, url: string) {
        super(message);
        this.name = 'ClientError';
        this.status = status;
        this.url = url;
    }
}

export function isAbortError(err: unknown): boolean {
    return typeof err === 'object' && err !== null && (err as {name?: string}).name === 'AbortError';
}

export function getCSRFToken(cookie: string = typeof document === 'undefined' ? '' : document.cookie): string {
    for (const part of cookie.split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === 'MMCSRF') {
            return decodeURIComponent(v.join('='));
        }
    }
    return '';
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
    query?: Query;
    body?: unknown;
    signal?: AbortSignal;
    // 'json' (default) decodes the answer; 'text' returns it as is.
    as?: 'json' | 'text';
}

export function buildQuery(query?: Query): string {
    if (!query) {
        return '';
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
        if (v !== undefined) {
            params.set(k, String(v));
        }
    }
    const s = params.toString();
    return s ? '?' + s : '';
}

// errorText turns an error answer into a message: Mattermost's JSON errors
// ({"message": ...}), or the plugin's plain-text http.Error bodies.
function errorText(status: number, body: string): string {
    const trimmed = body.trim();
    if (trimmed.startsWith('{')) {
        try {
            const parsed = JSON.parse(trimmed) as {message?: string; error?: string};
            if (parsed.message || parsed.error) {
                return String(parsed.message || parsed.error);
            }
        } catch {
            // not JSON after all
        }
    }
    return trimmed || `HTTP ${status}`;
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class HttpClient {
    private readonly getSiteURL: () => string;
    private readonly fetchImpl: FetchLike;

    constructor(getSiteURL: () => string, fetchImpl?: FetchLike) {
        this.getSiteURL = getSiteURL;
        this.fetchImpl = fetchImpl ?? ((input, init) => fetch(input, init));
    }

    public siteURL(): string {
        return this.getSiteURL().replace(/\/+$/, '');
    }

    // url resolves a server path ("/api/v4/...") against the site URL.
    public url(path: string, query?: Query): string {
        return this.siteURL() + path + buildQuery(query);
    }

    public async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
        const url = this.url(path, opts.query);
        const headers: Record<string, string> = {
            Accept: opts.as === 'text' ? 'text/plain, */*' : 'application/json',
            'X-Requested-With': 'XMLHttpRequest',
        };
        const csrf = getCSRFToken();
        if (csrf) {
            headers['X-CSRF-Token'] = csrf;
        }
        const init: RequestInit = {method, headers, credentials: 'include', signal: opts.signal};
        if (opts.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(opts.body);
        }

        const resp = await this.fetchImpl(url, init);
        const text = await resp.text();
        if (!resp.ok) {
            throw new ClientError(errorText(resp.status, text), resp.status, url);
        }
        if (opts.as === 'text') {
            return text as unknown as T;
        }
        if (!text.trim()) {
            return undefined as unknown as T;
        }
        try {
            return JSON.parse(text) as T;
        } catch {
            throw new ClientError(`invalid JSON from ${path}`, resp.status, url);
        }
    }

    public get<T>(path: string, opts?: RequestOptions): Promise<T> {
        return this.request<T>('GET', path, opts);
    }

    public post<T>(path: string, body: unknown, opts?: RequestOptions): Promise<T> {
        return this.request<T>('POST', path, {...opts, body});
    }
}
