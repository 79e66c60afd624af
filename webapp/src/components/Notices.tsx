// Call results shown in the channel: ok text as an ephemeral-style notice
// (it fades after a while), errors with the app's name until dismissed.

import React, {useEffect} from 'react';
import {useSelector} from 'react-redux';

import {useController} from '../controller';
import {t} from '../i18n';
import {getCurrentChannelId} from '../selectors';
import {getPluginState, type Notice} from '../state';
import type {GlobalState} from '../types/mattermost';

import Markdown from './Markdown';

export const OK_NOTICE_MS = 15000;

function NoticeItem({notice}: {notice: Notice}): React.ReactElement {
    const ctl = useController();
    const info = useSelector((s: GlobalState) => getPluginState(s).apps[notice.appId]);
    const app = info?.displayName || notice.appId || 'App';

    useEffect(() => {
        if (notice.kind !== 'ok') {
            return undefined;
        }
        const timer = setTimeout(() => ctl.dismissNotice(notice.id), OK_NOTICE_MS);
        return () => clearTimeout(timer);
    }, [ctl, notice]);

    return (
        <div
            className={'mmapps-notice mmapps-notice-' + notice.kind}
            role={notice.kind === 'error' ? 'alert' : 'status'}
            data-testid='apps-notice'
        >
            {info?.iconURL ? (
                <img
                    className='mmapps-notice-icon'
                    src={info.iconURL}
                    alt=''
                    width={20}
                    height={20}
                />
            ) : null}
            <div className='mmapps-notice-body'>
                <div className='mmapps-notice-title'>
                    {notice.kind === 'error' ? t('apps.notice.error_title', {app}) : t('apps.notice.ok_title', {app})}
                </div>
                <Markdown text={notice.text}/>
            </div>
            <button
                type='button'
                className='mmapps-icon-button'
                aria-label={t('apps.notice.dismiss')}
                onClick={() => ctl.dismissNotice(notice.id)}
            >
                <span aria-hidden='true'>{'×'}</span>
            </button>
        </div>
    );
}

export default function Notices(): React.ReactElement | null {
    const channelId = useSelector((s: GlobalState) => getCurrentChannelId(s));
    const notices = useSelector((s: GlobalState) => getPluginState(s).notices);
    const shown = notices.filter((n) => !n.channelId || n.channelId === channelId);
    if (!shown.length) {
        return null;
    }
    return (
        <div className='mmapps-notices'>
            {shown.map((n) => (
                <NoticeItem
                    key={n.id}
                    notice={n}
                />
            ))}
        </div>
    );
}
