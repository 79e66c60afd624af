// A modal dialog shell: role="dialog" with aria-modal and a label, Esc to
// close, Tab and focus kept inside, focus moved in on open and given back
// on close. Dialogs stack: only the top one reacts.

import React, {useEffect, useId, useRef} from 'react';

import {t} from '../i18n';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function focusables(root: HTMLElement | null): HTMLElement[] {
    if (!root) {
        return [];
    }
    return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE));
}

// Open dialogs, the top one last (a form can open over the marketplace).
const openDialogs: Array<HTMLElement | null> = [];

export interface DialogProps {
    title: React.ReactNode;
    icon?: string;
    onClose: () => void;
    children: React.ReactNode;
    footer?: React.ReactNode;
    className?: string;
    // Backdrop clicks close the dialog (not for forms: typed data is kept).
    closeOnBackdrop?: boolean;
    // Where focus goes on open; default: the first field in the body.
    initialFocus?: React.RefObject<HTMLElement>;
    busy?: boolean;
    testId?: string;
    // When set, body and footer are wrapped in a <form> with these props, so
    // Enter in a field submits through the footer's submit buttons.
    formProps?: React.FormHTMLAttributes<HTMLFormElement> & {ref?: React.Ref<HTMLFormElement>};
}

export default function Dialog(props: DialogProps): React.ReactElement {
    const titleId = useId();
    const ref = useRef<HTMLDivElement>(null);
    const bodyRef = useRef<HTMLDivElement>(null);
    const onCloseRef = useRef(props.onClose);
    onCloseRef.current = props.onClose;

    useEffect(() => {
        const previous = document.activeElement as HTMLElement | null;
        const footer = ref.current?.querySelector<HTMLElement>('.mmapps-dialog-footer') ?? null;
        const target = props.initialFocus?.current ?? focusables(bodyRef.current)[0] ?? focusables(footer)[0] ?? ref.current;
        const me = ref.current;
        openDialogs.push(me);
        const isTop = () => openDialogs[openDialogs.length - 1] === me;
        target?.focus();

        // Esc closes the top dialog wherever focus is (e.g. after the button
        // that had it went away), unless something inside handled it.
        const onDocKeyDown = (e: KeyboardEvent) => {
            if (e.key === 'Escape' && !e.defaultPrevented && isTop()) {
                e.preventDefault();
                onCloseRef.current();
            }
        };
        // Focus that leaves the top dialog is brought back in.
        const onFocusIn = (e: FocusEvent) => {
            if (isTop() && me && e.target instanceof Node && !me.contains(e.target)) {
                (focusables(me)[0] ?? me).focus();
            }
        };
        document.addEventListener('keydown', onDocKeyDown);
        document.addEventListener('focusin', onFocusIn);
        return () => {
            document.removeEventListener('keydown', onDocKeyDown);
            document.removeEventListener('focusin', onFocusIn);
            const i = openDialogs.lastIndexOf(me);
            if (i >= 0) {
                openDialogs.splice(i, 1);
            }
            if (previous && typeof previous.focus === 'function' && document.contains(previous)) {
                previous.focus();
            }
        };
        // Only on mount and unmount.
    }, []);

    const onKeyDown = (e: React.KeyboardEvent) => {
        if (e.key === 'Tab') {
            const items = focusables(ref.current);
            if (items.length === 0) {
                e.preventDefault();
                return;
            }
            const first = items[0];
            const last = items[items.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    };

    const content = (
        <>
            <div
                ref={bodyRef}
                className='mmapps-dialog-body'
            >
                {props.children}
            </div>
            {props.footer ? <div className='mmapps-dialog-footer'>{props.footer}</div> : null}
        </>
    );

    return (
        <div
            className='mmapps-backdrop'
            onMouseDown={(e) => {
                if (props.closeOnBackdrop && e.target === e.currentTarget) {
                    props.onClose();
                }
            }}
        >
            <div
                ref={ref}
                role='dialog'
                aria-modal='true'
                aria-labelledby={titleId}
                aria-busy={props.busy || undefined}
                className={'mmapps-dialog' + (props.className ? ' ' + props.className : '')}
                onKeyDown={onKeyDown}
                tabIndex={-1}
                data-testid={props.testId}
            >
                <div className='mmapps-dialog-header'>
                    {props.icon ? (
                        <img
                            className='mmapps-dialog-icon'
                            src={props.icon}
                            alt=''
                            width={24}
                            height={24}
                        />
                    ) : null}
                    <h2
                        id={titleId}
                        className='mmapps-dialog-title'
                    >
                        {props.title}
                    </h2>
                    <button
                        type='button'
                        className='mmapps-icon-button mmapps-dialog-close'
                        aria-label={t('apps.form.close')}
                        onClick={props.onClose}
                    >
                        <span aria-hidden='true'>{'×'}</span>
                    </button>
                </div>
                {props.formProps ? (
                    <form
                        className='mmapps-dialog-form'
                        {...props.formProps}
                    >
                        {content}
                    </form>
                ) : content}
            </div>
        </div>
    );
}
