// BindingsRegistrar keeps the registry's channel header buttons (or App Bar
// icons) and post menu actions in step with the bindings: an entry is
// registered when its binding appears, unregistered when it goes, and left
// alone (no flicker) when only its call or form changed: actions read the
// latest binding when they run.

import React from 'react';

import {LocationChannelHeader, LocationPostMenu, type Binding} from '../types/apps';
import type {Channel, PluginRegistry} from '../types/mattermost';

import {bindingKey, bindingsAt, isActionable} from './utils';

export interface RegistrarOptions {
    registry: PluginRegistry;
    // Whether channel header bindings go to the App Bar.
    useAppBar: () => boolean;
    runHeader: (binding: Binding, channel?: Channel) => void;
    runPost: (binding: Binding, postId: string) => void;
    // Which posts get the post menu actions (e.g. not system messages).
    postFilter: (postId: string) => boolean;
}

interface Entry {
    ids: string[];
    binding: Binding;
    children: Binding[];
}

export function BindingIcon({binding, className}: {binding: Binding; className?: string}): React.ReactElement | null {
    if (!binding.icon) {
        return null;
    }
    return (
        <img
            className={className ?? 'mmapps-binding-icon'}
            src={binding.icon}
            alt=''
            width={16}
            height={16}
            aria-hidden='true'
        />
    );
}

export function BindingLabel({binding, submenu}: {binding: Binding; submenu?: boolean}): React.ReactElement {
    return (
        <span className='mmapps-binding-label'>
            <BindingIcon binding={binding}/>
            <span>{binding.label || binding.location}</span>
            {submenu ? <span aria-hidden='true' className='mmapps-submenu-arrow'>{'›'}</span> : null}
        </span>
    );
}

function headerIcon(binding: Binding): React.ReactElement {
    if (binding.icon) {
        return <BindingIcon binding={binding} className='mmapps-header-icon'/>;
    }
    const letter = (binding.label || binding.app_id || '?').charAt(0).toUpperCase();
    return <span className='mmapps-header-icon mmapps-header-letter' aria-hidden='true'>{letter}</span>;
}

export class BindingsRegistrar {
    private readonly opts: RegistrarOptions;
    private readonly header = new Map<string, Entry>();
    private readonly post = new Map<string, Entry>();

    constructor(opts: RegistrarOptions) {
        this.opts = opts;
    }

    // update registers what is new and unregisters what is gone.
    public update(top: Binding[]): void {
        this.sync(this.header, bindingsAt(top, LocationChannelHeader).filter(isActionable), (b, entry) => this.registerHeader(b, entry));

        const postBindings = bindingsAt(top, LocationPostMenu).filter((b) => isActionable(b) || (b.bindings ?? []).some(isActionable));
        this.sync(this.post, postBindings, (b, entry) => this.registerPost(b, entry));
    }

    public clear(): void {
        this.update([]);
    }

    public get registeredCount(): number {
        return this.header.size + this.post.size;
    }

    private sync(map: Map<string, Entry>, bindings: Binding[], register: (b: Binding, entry: Entry) => string[]): void {
        const seen = new Set<string>();
        for (const b of bindings) {
            const children = (b.bindings ?? []).filter(isActionable);
            const key = [bindingKey(b), ...children.map(bindingKey)].join('\u0001');
            if (seen.has(key)) {
                continue;
            }
            seen.add(key);
            const existing = map.get(key);
            if (existing) {
                existing.binding = b;
                existing.children = children;
                continue;
            }
            const entry: Entry = {ids: [], binding: b, children};
            entry.ids = register(b, entry);
            map.set(key, entry);
        }
        for (const [key, entry] of map) {
            if (!seen.has(key)) {
                entry.ids.forEach((id) => this.opts.registry.unregisterComponent?.(id));
                map.delete(key);
            }
        }
    }

    private registerHeader(b: Binding, entry: Entry): string[] {
        const {registry} = this.opts;
        const action = (channel?: Channel) => this.opts.runHeader(entry.binding, channel);
        const tooltip = b.hint || b.label || '';
        if (b.icon && this.opts.useAppBar() && typeof registry.registerAppBarComponent === 'function') {
            const res = registry.registerAppBarComponent(b.icon, action, tooltip);
            return [typeof res === 'string' ? res : res?.id].filter(Boolean) as string[];
        }
        if (typeof registry.registerChannelHeaderButtonAction !== 'function') {
            return [];
        }
        return [registry.registerChannelHeaderButtonAction(headerIcon(b), action, b.label || tooltip, tooltip)];
    }

    private registerPost(b: Binding, entry: Entry): string[] {
        const {registry, postFilter} = this.opts;
        if (entry.children.length === 0) {
            if (typeof registry.registerPostDropdownMenuAction !== 'function') {
                return [];
            }
            return [registry.registerPostDropdownMenuAction(
                <BindingLabel binding={b}/>,
                (postId: string) => this.opts.runPost(entry.binding, postId),
                postFilter,
            )];
        }

        // One submenu level, where the server offers it.
        if (typeof registry.registerPostDropdownSubMenuAction === 'function') {
            const parent = registry.registerPostDropdownSubMenuAction(<BindingLabel binding={b}/>, () => undefined, postFilter);
            entry.children.forEach((child, i) => {
                parent.rootRegisterMenuItem(
                    <BindingLabel binding={child}/>,
                    (postId: string) => this.opts.runPost(entry.children[i] ?? child, postId),
                    postFilter,
                );
            });
            return [parent.id];
        }

        // Otherwise the children become top-level items "Parent › Child".
        if (typeof registry.registerPostDropdownMenuAction !== 'function') {
            return [];
        }
        return entry.children.map((child, i) => registry.registerPostDropdownMenuAction(
            <BindingLabel binding={{...child, label: `${b.label ?? ''} › ${child.label ?? ''}`}}/>,
            (postId: string) => this.opts.runPost(entry.children[i] ?? child, postId),
            postFilter,
        ));
    }
}
