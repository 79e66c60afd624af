// Helpers over the bindings tree the plugin returns.

import type {Binding, Location} from '../types/apps';

// joinLocation appends a sub-binding's location (or label) to its parent's.
export function joinLocation(parent: Location | undefined, sub: Location | undefined): Location {
    const p = (parent ?? '').replace(/\/+$/, '');
    const s = sub ?? '';
    if (!s) {
        return p;
    }
    if (s.startsWith('/')) {
        // Already a full location under the parent, or a rooted segment.
        return s.startsWith(p + '/') ? s : p + s;
    }
    return `${p}/${s}`;
}

// fillBindings gives every binding its full location (e.g.
// "/channel_header/send") and its app id (inherited from the parent), as
// the core web app did before rendering.
export function fillBindings(top: Binding[]): Binding[] {
    const fill = (b: Binding, parent?: Binding): Binding => {
        const location = parent ? joinLocation(parent.location, b.location || b.label) : (b.location || '');
        const appId = b.app_id || parent?.app_id || '';
        const out: Binding = {...b, location, app_id: appId};
        if (b.bindings) {
            out.bindings = b.bindings.map((sub) => fill(sub, out));
        }
        return out;
    };
    return top.map((b) => fill(b));
}

// bindingsAt returns the bindings under the top-level location (e.g.
// "/channel_header"), from every app.
export function bindingsAt(top: Binding[], location: Location): Binding[] {
    const out: Binding[] = [];
    for (const b of top) {
        if (b.location === location && b.bindings) {
            out.push(...b.bindings);
        }
    }
    return out;
}

// isActionable: the binding runs a call or opens a form.
export function isActionable(b: Binding): boolean {
    return Boolean(b.submit || b.form);
}

// bindingKey identifies a registered UI entry; a change of app, location,
// label or icon registers it anew.
export function bindingKey(b: Binding): string {
    return [b.app_id ?? '', b.location ?? '', b.label ?? '', b.icon ?? ''].join('\u0000');
}

// appBindingSummary lists an app's bindings per top-level location, for the
// marketplace's "what it can do".
export function appBindingSummary(top: Binding[], appId: string): Array<{location: string; labels: string[]}> {
    const out: Array<{location: string; labels: string[]}> = [];
    for (const group of top) {
        const labels: string[] = [];
        const walk = (b: Binding, prefix: string) => {
            if (b.app_id !== appId) {
                return;
            }
            const label = prefix ? `${prefix} ${b.label ?? ''}` : (b.label ?? '');
            if (b.bindings && b.bindings.length) {
                b.bindings.forEach((sub) => walk(sub, label));
            } else if (label.trim()) {
                labels.push(label.trim());
            }
        };
        (group.bindings ?? []).forEach((b) => walk(b, ''));
        if (labels.length) {
            out.push({location: group.location ?? '', labels});
        }
    }
    return out;
}
