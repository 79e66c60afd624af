// The "Apps" modal: the listed apps from /api/v1/marketplace with search,
// what each can do, and for system admins Install (through the built-in
// app's consent form), Enable/Disable and Uninstall (after a confirmation).

import React, {useEffect, useMemo, useRef, useState} from 'react';
import {useSelector} from 'react-redux';

import {appBindingSummary} from '../bindings/utils';
import {useController} from '../controller';
import {t, type MessageId} from '../i18n';
import {isSystemAdmin} from '../selectors';
import {getPluginState} from '../state';
import {BuiltinAppID, type Binding, type ListedApp, type Location} from '../types/apps';
import type {GlobalState} from '../types/mattermost';

import Dialog from './Dialog';

export const SEARCH_DEBOUNCE_MS = 300;

type Tab = 'all' | 'installed';
type AdminAction = 'install' | 'enable' | 'disable' | 'uninstall';

export function locationText(loc: Location): string {
    const parts = loc.replace(/^\/+/, '').split('/');
    switch (parts[0]) {
    case 'post_menu':
        return t('apps.location.post_menu');
    case 'channel_header':
        return t('apps.location.channel_header');
    case 'command':
        return parts.length > 1 && parts[1] ? t('apps.location.command_named', {command: parts.slice(1).join(' ')}) : t('apps.location.command');
    case 'in_post':
        return t('apps.location.in_post');
    default:
        return loc;
    }
}

export function permissionText(p: string): string {
    const id = `apps.permission.${p}` as MessageId;
    const text = t(id);
    return text === id ? p : text;
}

function appName(app: ListedApp): string {
    return app.manifest.display_name || app.manifest.app_id;
}

function matches(app: ListedApp, filter: string): boolean {
    const f = filter.trim().toLowerCase();
    if (!f) {
        return true;
    }
    const m = app.manifest;
    return m.app_id.toLowerCase() === f ||
        (m.display_name ?? '').toLowerCase().includes(f) ||
        (m.description ?? '').toLowerCase().includes(f);
}

interface CardProps {
    app: ListedApp;
    isAdmin: boolean;
    busy: AdminAction | null;
    disabled: boolean;
    confirming: boolean;
    bindings: Binding[];
    onAction: (app: ListedApp, action: AdminAction) => void;
    onConfirm: (app: ListedApp | null) => void;
}

function AppCard({app, isAdmin, busy, disabled, confirming, bindings, onAction, onConfirm}: CardProps): React.ReactElement {
    const m = app.manifest;
    const name = appName(app);
    const titleId = `mmapps-app-${m.app_id}`;
    const summary = app.installed && app.enabled ? appBindingSummary(bindings, m.app_id) : [];
    const locations = m.requested_locations ?? [];
    const permissions = m.requested_permissions ?? [];
    const hasDetails = locations.length > 0 || permissions.length > 0 || summary.length > 0;

    const button = (action: AdminAction, label: MessageId, kind = 'mmapps-button-secondary') => (
        <button
            type='button'
            className={'mmapps-button ' + kind}
            disabled={disabled}
            aria-describedby={titleId}
            onClick={() => (action === 'uninstall' ? onConfirm(app) : onAction(app, action))}
        >
            {busy === action ? t('apps.marketplace.working') : t(label)}
        </button>
    );

    return (
        <li
            className='mmapps-app-card'
            aria-labelledby={titleId}
            data-app-id={m.app_id}
        >
            <div className='mmapps-app-icon'>
                {app.icon_url ? (
                    <img
                        src={app.icon_url}
                        alt=''
                        width={40}
                        height={40}
                    />
                ) : (
                    <span aria-hidden='true'>{name.charAt(0).toUpperCase()}</span>
                )}
            </div>
            <div className='mmapps-app-main'>
                <div className='mmapps-app-title'>
                    <h3 id={titleId}>{name}</h3>
                    {m.version ? <span className='mmapps-app-version'>{t('apps.marketplace.version', {version: m.version})}</span> : null}
                    {app.installed ? <span className='mmapps-badge mmapps-badge-installed'>{t('apps.marketplace.installed')}</span> : null}
                    {app.installed && !app.enabled ? <span className='mmapps-badge mmapps-badge-disabled'>{t('apps.marketplace.disabled')}</span> : null}
                    {(app.labels ?? []).filter((l) => l.name !== 'Disabled').map((l) => (
                        <span
                            key={l.name}
                            className='mmapps-badge'
                            title={l.description}
                        >
                            {l.name}
                        </span>
                    ))}
                </div>
                {m.description ? <p className='mmapps-app-description'>{m.description}</p> : null}
                {m.homepage_url ? (
                    <a
                        className='mmapps-app-homepage'
                        href={m.homepage_url}
                        target='_blank'
                        rel='noopener noreferrer'
                    >
                        {t('apps.marketplace.homepage')}
                    </a>
                ) : null}
                {hasDetails ? (
                    <details
                        className='mmapps-app-details'
                        open={app.installed}
                    >
                        <summary>{t('apps.marketplace.details')}</summary>
                        <dl>
                            {locations.length ? (
                                <>
                                    <dt>{t('apps.marketplace.locations')}</dt>
                                    <dd>{locations.map(locationText).join(', ')}</dd>
                                </>
                            ) : null}
                            {permissions.length ? (
                                <>
                                    <dt>{t('apps.marketplace.permissions')}</dt>
                                    <dd>
                                        <ul>{permissions.map((p) => <li key={p}>{permissionText(p)}</li>)}</ul>
                                    </dd>
                                </>
                            ) : null}
                            {summary.length ? (
                                <>
                                    <dt>{t('apps.marketplace.current')}</dt>
                                    <dd>
                                        <ul>
                                            {summary.map((s) => (
                                                <li key={s.location}>{locationText(s.location) + ': ' + s.labels.map((l) => (s.location === '/command' ? '/' + l : l)).join(', ')}</li>
                                            ))}
                                        </ul>
                                    </dd>
                                </>
                            ) : null}
                        </dl>
                    </details>
                ) : null}
            </div>
            {isAdmin && m.app_id !== BuiltinAppID ? (
                <div className='mmapps-app-actions'>
                    {confirming ? (
                        <div
                            className='mmapps-confirm'
                            role='group'
                            aria-label={t('apps.marketplace.uninstall')}
                        >
                            <p>{t('apps.marketplace.uninstall.confirm', {name})}</p>
                            <button
                                type='button'
                                className='mmapps-button mmapps-button-danger'
                                disabled={disabled}
                                onClick={() => onAction(app, 'uninstall')}
                            >
                                {busy === 'uninstall' ? t('apps.marketplace.working') : t('apps.marketplace.uninstall.yes')}
                            </button>
                            <button
                                type='button'
                                className='mmapps-button mmapps-button-tertiary'
                                disabled={disabled}
                                onClick={() => onConfirm(null)}
                            >
                                {t('apps.marketplace.cancel')}
                            </button>
                        </div>
                    ) : null}
                    {!confirming && !app.installed ? button('install', 'apps.marketplace.install', 'mmapps-button-primary') : null}
                    {!confirming && app.installed && app.enabled ? button('disable', 'apps.marketplace.disable') : null}
                    {!confirming && app.installed && !app.enabled ? button('enable', 'apps.marketplace.enable') : null}
                    {!confirming && app.installed ? button('uninstall', 'apps.marketplace.uninstall', 'mmapps-button-danger-outline') : null}
                </div>
            ) : null}
        </li>
    );
}

export function Marketplace({onClose}: {onClose: () => void}): React.ReactElement {
    const ctl = useController();
    const isAdmin = useSelector((s: GlobalState) => isSystemAdmin(s));
    const version = useSelector((s: GlobalState) => getPluginState(s).appsVersion);
    const bindings = useSelector((s: GlobalState) => getPluginState(s).bindings.bindings);

    const [filter, setFilter] = useState('');
    const [query, setQuery] = useState('');
    const [tab, setTab] = useState<Tab>('all');
    const [apps, setApps] = useState<ListedApp[] | null>(null);
    const [loadError, setLoadError] = useState('');
    const [busy, setBusy] = useState<{appId: string; action: AdminAction} | null>(null);
    const [confirm, setConfirm] = useState<string | null>(null);
    const [message, setMessage] = useState<{kind: 'ok' | 'error'; text: string} | null>(null);
    const mounted = useRef(true);
    const searchRef = useRef<HTMLInputElement>(null);

    useEffect(() => () => {
        mounted.current = false;
    }, []);

    useEffect(() => {
        const timer = setTimeout(() => setQuery(filter.trim()), SEARCH_DEBOUNCE_MS);
        return () => clearTimeout(timer);
    }, [filter]);

    useEffect(() => {
        const controller = new AbortController();
        ctl.clients.apps.getMarketplace(query, controller.signal).then((list) => {
            setApps(list);
            setLoadError('');
            ctl.rememberApps(list.map((l) => ({id: l.manifest.app_id, name: l.manifest.display_name, icon: l.icon_url})));
        }, (err: unknown) => {
            if (!controller.signal.aborted) {
                setLoadError(String((err as Error)?.message ?? err));
            }
        });
        return () => controller.abort();
    }, [ctl, query, version]);

    const run = async (app: ListedApp, action: AdminAction) => {
        const appId = app.manifest.app_id;
        const name = appName(app);
        setBusy({appId, action});
        setMessage(null);
        try {
            if (action === 'install') {
                const target = ctl.currentTarget();
                const resp = await ctl.clients.admin.installConsent(appId, target);
                const ctx = {app_id: BuiltinAppID, channel_id: target.channelId || undefined, team_id: target.teamId || undefined};
                if (resp.type === 'error') {
                    throw new Error(resp.text || 'error');
                }
                ctl.handleResponse(resp, ctx);
            } else {
                const admin = ctl.clients.admin;
                const fn = action === 'enable' ? admin.enableApp : action === 'disable' ? admin.disableApp : admin.uninstallApp;
                await fn.call(admin, appId);
                if (mounted.current) {
                    setMessage({kind: 'ok', text: t(`apps.marketplace.action_done.${action}` as MessageId, {name})});
                }
                ctl.appsChanged();
            }
        } catch (err) {
            if (mounted.current) {
                setMessage({kind: 'error', text: t('apps.marketplace.action_error', {name, error: String((err as Error)?.message ?? err)})});
            }
        } finally {
            if (mounted.current) {
                setBusy(null);
                setConfirm(null);
                // The pressed button may be gone (Uninstall → Install): keep
                // focus on the app's card, or the search box.
                setTimeout(() => {
                    const active = document.activeElement;
                    if (!active || active === document.body) {
                        const card = Array.from(document.querySelectorAll('[data-app-id]')).find((el) => el.getAttribute('data-app-id') === appId);
                        const next = card?.querySelector<HTMLElement>('.mmapps-app-actions button');
                        (next ?? searchRef.current)?.focus();
                    }
                }, 0);
            }
        }
    };

    const shown = useMemo(() => (apps ?? []).filter((a) => (tab === 'all' || a.installed) && matches(a, filter)), [apps, tab, filter]);

    let body: React.ReactNode;
    if (loadError && !apps) {
        body = <div className='mmapps-form-error' role='alert'>{t('apps.marketplace.load_error', {error: loadError})}</div>;
    } else if (!apps) {
        body = <div className='mmapps-status mmapps-loading' role='status'>{t('apps.marketplace.loading')}</div>;
    } else if (shown.length === 0) {
        body = <div className='mmapps-status'>{t(tab === 'installed' && !filter ? 'apps.marketplace.empty_installed' : 'apps.marketplace.empty')}</div>;
    } else {
        body = (
            <ul
                className='mmapps-app-list'
                aria-label={t('apps.marketplace.title')}
            >
                {shown.map((app) => (
                    <AppCard
                        key={app.manifest.app_id}
                        app={app}
                        isAdmin={isAdmin}
                        busy={busy?.appId === app.manifest.app_id ? busy.action : null}
                        disabled={Boolean(busy)}
                        confirming={confirm === app.manifest.app_id}
                        bindings={bindings}
                        onAction={(a, action) => void run(a, action)}
                        onConfirm={(a) => setConfirm(a ? a.manifest.app_id : null)}
                    />
                ))}
            </ul>
        );
    }

    return (
        <Dialog
            title={t('apps.marketplace.title')}
            onClose={onClose}
            closeOnBackdrop={true}
            className='mmapps-marketplace'
            initialFocus={searchRef as React.RefObject<HTMLElement>}
            testId='apps-marketplace'
        >
            <div className='mmapps-marketplace-toolbar'>
                <input
                    ref={searchRef}
                    type='search'
                    className='mmapps-input mmapps-search'
                    placeholder={t('apps.marketplace.search')}
                    aria-label={t('apps.marketplace.search')}
                    value={filter}
                    onChange={(e) => setFilter(e.target.value)}
                />
                <div
                    className='mmapps-tabs'
                    role='group'
                >
                    {(['all', 'installed'] as Tab[]).map((k) => (
                        <button
                            key={k}
                            type='button'
                            className={'mmapps-tab' + (tab === k ? ' mmapps-tab-active' : '')}
                            aria-pressed={tab === k}
                            onClick={() => setTab(k)}
                        >
                            {t(k === 'all' ? 'apps.marketplace.tab.all' : 'apps.marketplace.tab.installed')}
                        </button>
                    ))}
                </div>
            </div>
            {message ? (
                <div
                    className={message.kind === 'error' ? 'mmapps-form-error' : 'mmapps-success'}
                    role={message.kind === 'error' ? 'alert' : 'status'}
                >
                    {message.text}
                </div>
            ) : null}
            {!isAdmin && apps ? <p className='mmapps-help'>{t('apps.marketplace.admin_only')}</p> : null}
            {body}
        </Dialog>
    );
}

export default function MarketplaceModal(): React.ReactElement | null {
    const ctl = useController();
    const open = useSelector((s: GlobalState) => getPluginState(s).marketplaceOpen);
    if (!open) {
        return null;
    }
    return <Marketplace onClose={() => ctl.closeMarketplace()}/>;
}
