import {render, screen} from '@testing-library/react';
import React from 'react';

import {BindingsRegistrar} from '../bindings/registration';
import {fillBindings} from '../bindings/utils';
import type {Binding} from '../types/apps';
import type {PluginRegistry} from '../types/mattermost';

function fakeRegistry() {
    let n = 0;
    const subItems: any[] = [];
    const registry = {
        registerChannelHeaderButtonAction: jest.fn(() => `header-${++n}`),
        registerAppBarComponent: jest.fn(() => `appbar-${++n}`),
        registerPostDropdownMenuAction: jest.fn(() => `post-${++n}`),
        registerPostDropdownSubMenuAction: jest.fn(() => ({
            id: `sub-${++n}`,
            rootRegisterMenuItem: jest.fn((...args: unknown[]) => subItems.push(args)),
        })),
        unregisterComponent: jest.fn(),
    };
    return {registry: registry as unknown as PluginRegistry & typeof registry, subItems};
}

function bindings(label = 'Send', path = '/send'): Binding[] {
    return fillBindings([
        {
            location: '/channel_header',
            bindings: [{app_id: 'hello', label, hint: 'Send a greeting', icon: 'http://apps.test/icon.png', submit: {path}}],
        },
        {
            location: '/post_menu',
            bindings: [
                {app_id: 'hello', label: 'Translate', icon: 'http://apps.test/t.png', form: {title: 'Translate', submit: {path: '/t'}}},
                {
                    app_id: 'hello',
                    label: 'More',
                    icon: 'http://apps.test/m.png',
                    bindings: [
                        {label: 'Pin', submit: {path: '/pin'}},
                        {label: 'Archive', submit: {path: '/archive'}},
                    ],
                },
            ],
        },
        {location: '/command', bindings: [{app_id: 'hello', label: 'hello', submit: {path: '/cmd'}}]},
    ]);
}

describe('BindingsRegistrar', () => {
    it('registers channel header buttons with icon, label and tooltip', () => {
        const {registry} = fakeRegistry();
        const runHeader = jest.fn();
        const r = new BindingsRegistrar({registry, useAppBar: () => false, runHeader, runPost: jest.fn(), postFilter: () => true});
        r.update(bindings());

        expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledTimes(1);
        const [icon, action, dropdownText, tooltip] = registry.registerChannelHeaderButtonAction.mock.calls[0] as unknown as [React.ReactElement, (c: unknown) => void, string, string];
        render(icon);
        expect(document.querySelector('img')!.getAttribute('src')).toBe('http://apps.test/icon.png');
        expect(dropdownText).toBe('Send');
        expect(tooltip).toBe('Send a greeting');

        const channel = {id: 'chan1', team_id: 'team1'};
        action(channel);
        expect(runHeader).toHaveBeenCalledWith(expect.objectContaining({label: 'Send', location: '/channel_header/Send'}), channel);
        expect(registry.registerAppBarComponent).not.toHaveBeenCalled();
    });

    it('uses the App Bar where the server has it', () => {
        const {registry} = fakeRegistry();
        const r = new BindingsRegistrar({registry, useAppBar: () => true, runHeader: jest.fn(), runPost: jest.fn(), postFilter: () => true});
        r.update(bindings());
        expect(registry.registerAppBarComponent).toHaveBeenCalledWith('http://apps.test/icon.png', expect.any(Function), 'Send a greeting');
        expect(registry.registerChannelHeaderButtonAction).not.toHaveBeenCalled();
    });

    it('registers post menu actions with one submenu level', () => {
        const {registry, subItems} = fakeRegistry();
        const runPost = jest.fn();
        const filter = jest.fn(() => true);
        const r = new BindingsRegistrar({registry, useAppBar: () => false, runHeader: jest.fn(), runPost, postFilter: filter});
        r.update(bindings());

        expect(registry.registerPostDropdownMenuAction).toHaveBeenCalledTimes(1);
        const [text, action, passedFilter] = registry.registerPostDropdownMenuAction.mock.calls[0] as unknown as [React.ReactElement, (id: string) => void, unknown];
        render(text);
        expect(screen.getByText('Translate')).toBeInTheDocument();
        expect(document.querySelector('img')!.getAttribute('src')).toBe('http://apps.test/t.png');
        expect(passedFilter).toBe(filter);
        action('post1');
        expect(runPost).toHaveBeenCalledWith(expect.objectContaining({label: 'Translate'}), 'post1');

        expect(registry.registerPostDropdownSubMenuAction).toHaveBeenCalledTimes(1);
        expect(subItems).toHaveLength(2);
        (subItems[1][1] as (id: string) => void)('post2');
        expect(runPost).toHaveBeenLastCalledWith(expect.objectContaining({label: 'Archive', location: '/post_menu/More/Archive'}), 'post2');
    });

    it('flattens submenus where the server has no submenu API', () => {
        const {registry} = fakeRegistry();
        delete (registry as Partial<typeof registry>).registerPostDropdownSubMenuAction;
        const r = new BindingsRegistrar({registry, useAppBar: () => false, runHeader: jest.fn(), runPost: jest.fn(), postFilter: () => true});
        r.update(bindings());
        expect(registry.registerPostDropdownMenuAction).toHaveBeenCalledTimes(3);
        render(<>{registry.registerPostDropdownMenuAction.mock.calls.map((c: unknown[], i: number) => <div key={i}>{c[0] as React.ReactNode}</div>)}</>);
        expect(screen.getByText('More › Pin')).toBeInTheDocument();
    });

    it('keeps unchanged entries, re-registers changed ones and removes gone ones', () => {
        const {registry} = fakeRegistry();
        const runHeader = jest.fn();
        const r = new BindingsRegistrar({registry, useAppBar: () => false, runHeader, runPost: jest.fn(), postFilter: () => true});
        r.update(bindings());
        const registered = registry.registerChannelHeaderButtonAction.mock.calls.length +
            registry.registerPostDropdownMenuAction.mock.calls.length + registry.registerPostDropdownSubMenuAction.mock.calls.length;
        expect(registered).toBe(3);

        // Same labels/icons, a new call path: nothing re-registered, the
        // action uses the new call.
        r.update(bindings('Send', '/send-v2'));
        expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledTimes(1);
        expect(registry.unregisterComponent).not.toHaveBeenCalled();
        const action = (registry.registerChannelHeaderButtonAction.mock.calls[0] as unknown[])[1] as unknown as (c: unknown) => void;
        action({id: 'chan1'});
        expect(runHeader.mock.calls[0][0].submit.path).toBe('/send-v2');

        // A new label: the old button goes, a new one comes.
        r.update(bindings('Greet'));
        expect(registry.unregisterComponent).toHaveBeenCalledWith('header-1');
        expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledTimes(2);

        r.clear();
        expect(r.registeredCount).toBe(0);
        expect(registry.unregisterComponent).toHaveBeenCalledTimes(4);
    });
});
