// The forms modal. It shows a Form from a binding or a call response:
// fetches `source` forms, refreshes the form when a `refresh` field changes,
// runs lookups for dynamic selects and the user/channel pickers, checks
// required fields, submits with one or several submit buttons, and shows the
// app's form-level and per-field errors. Enter submits, Esc closes.

import React, {useCallback, useEffect, useId, useRef, useState} from 'react';
import {useSelector} from 'react-redux';

import {useController, type Controller} from '../controller';
import {
    initialValues,
    submitButtons,
    validateForm,
    visibleFields,
} from '../forms/values';
import {t} from '../i18n';
import {getPluginState, type CallContext} from '../state';
import type {
    ErrorResponseData,
    Field,
    Form,
    FormValue,
    FormValues,
    ProxyCallResponse,
    SelectOption,
} from '../types/apps';
import type {GlobalState} from '../types/mattermost';

import Dialog from './Dialog';
import AppsField, {filterOptions} from './fields/AppsField';
import Markdown from './Markdown';

type Busy = null | 'source' | 'refresh' | 'submit';

export interface AppsFormProps {
    form: Form;
    context: CallContext;
    onClose: () => void;
}

function needsSource(form: Form): boolean {
    return Boolean(form.source) && !(form.fields && form.fields.length);
}

// loadFieldOptions is where select options come from: the field's own
// options, its lookup call, or the Mattermost user/channel autocomplete.
export async function loadFieldOptions(
    ctl: Controller,
    context: CallContext,
    values: FormValues,
    field: Field,
    query: string,
    signal: AbortSignal,
): Promise<SelectOption[]> {
    switch (field.type) {
    case 'static_select':
        return filterOptions(field.options ?? [], query);
    case 'user': {
        const users = await ctl.clients.mm.autocompleteUsers(context.team_id ?? '', query, signal);
        return users.map((u) => ({
            label: u.username,
            value: u.id,
            icon_data: ctl.clients.mm.profileImageURL(u),
        }));
    }
    case 'channel': {
        const channels = await ctl.clients.mm.autocompleteChannels(context.team_id ?? '', query, signal);
        return channels.map((c) => ({label: c.display_name || c.name, value: c.id}));
    }
    default: {
        if (!field.lookup) {
            throw new Error(t('apps.form.no_lookup'));
        }
        const resp = await ctl.call(field.lookup, context, {values, selected_field: field.name, query}, signal);
        if (resp.type === 'error') {
            throw new Error(resp.text || 'error');
        }
        const items = (resp.data as {items?: SelectOption[]} | undefined)?.items;
        return Array.isArray(items) ? items.filter((i) => i && i.value !== undefined).map((i) => ({...i, label: i.label ?? String(i.value), value: String(i.value)})) : [];
    }
    }
}

export function AppsForm(props: AppsFormProps): React.ReactElement {
    const ctl = useController();
    const {context, onClose} = props;
    const formId = useId();
    const [form, setForm] = useState<Form>(props.form);
    const [values, setValues] = useState<FormValues>(() => initialValues(props.form));
    const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
    const [formError, setFormError] = useState('');
    const [busy, setBusy] = useState<Busy>(needsSource(props.form) ? 'source' : null);
    const [focusFirst, setFocusFirst] = useState(0);
    const [activeButton, setActiveButton] = useState<string | null>(null);

    const valuesRef = useRef(values);
    valuesRef.current = values;
    const mounted = useRef(true);
    const pressed = useRef<SelectOption | null>(null);
    const pendingCommit = useRef<Set<string>>(new Set());
    const errorRef = useRef<HTMLDivElement>(null);
    const bodyRef = useRef<HTMLFormElement>(null);
    const refreshAbort = useRef<AbortController | null>(null);

    useEffect(() => () => {
        mounted.current = false;
        refreshAbort.current?.abort();
    }, []);

    const fieldDomId = (name: string) => `${formId}-field-${name}`;

    const focusField = (name: string) => {
        const el = document.getElementById(fieldDomId(name));
        el?.focus();
    };

    // Focus the first field after a new form arrives (source, next step).
    useEffect(() => {
        if (!focusFirst) {
            return;
        }
        const first = bodyRef.current?.querySelector<HTMLElement>('input:not([disabled]), textarea:not([disabled])');
        first?.focus();
    }, [focusFirst]);

    const applyForm = (next: Form, keepValues: boolean) => {
        setForm(next);
        setValues(initialValues(next, keepValues ? valuesRef.current : undefined));
        setFieldErrors({});
        setFormError('');
        if (!keepValues) {
            setFocusFirst((n) => n + 1);
        }
    };

    const showErrors = (resp: ProxyCallResponse, fields: Field[]) => {
        const data = resp.data as ErrorResponseData | undefined;
        const errors: Record<string, string> = {};
        const other: string[] = [];
        for (const [name, msg] of Object.entries(data?.errors ?? {})) {
            if (fields.some((f) => f.name === name)) {
                errors[name] = String(msg);
            } else {
                other.push(`${name}: ${msg}`);
            }
        }
        const text = [resp.text, ...other].filter(Boolean).join('\n');
        setFieldErrors(errors);
        setFormError(text || (Object.keys(errors).length ? t('apps.form.errors_below') : ''));
        const firstBad = fields.find((f) => errors[f.name]);
        setTimeout(() => {
            if (firstBad) {
                focusField(firstBad.name);
            } else {
                errorRef.current?.focus();
            }
        }, 0);
    };

    // fetchSource loads (selectedField "") or refreshes the form.
    const fetchSource = useCallback(async (current: Form, selectedField: string, vals: FormValues) => {
        if (!current.source) {
            setFormError(t('apps.form.no_source'));
            return;
        }
        refreshAbort.current?.abort();
        const controller = new AbortController();
        refreshAbort.current = controller;
        setBusy(selectedField ? 'refresh' : 'source');
        let resp: ProxyCallResponse;
        try {
            resp = await ctl.call(current.source, context, {values: vals, selected_field: selectedField}, controller.signal);
        } catch {
            return; // aborted by a newer refresh or the close
        }
        if (!mounted.current || controller.signal.aborted) {
            return;
        }
        setBusy(null);
        switch (resp.type) {
        case 'form':
            if (resp.form) {
                applyForm(resp.form, Boolean(selectedField));
            }
            return;
        case 'error':
            showErrors(resp, current.fields ?? []);
            return;
        default:
            if (!selectedField || resp.type !== 'ok') {
                // A source that answers anything but a form ends the form.
                onClose();
                ctl.handleResponse(resp, context);
            }
        }
    }, [ctl, context, onClose]);

    useEffect(() => {
        if (needsSource(props.form)) {
            void fetchSource(props.form, '', {});
        }
    }, []);

    const onChange = (field: Field, value: FormValue) => {
        const next = {...valuesRef.current, [field.name]: value};
        valuesRef.current = next;
        setValues(next);
        if (fieldErrors[field.name]) {
            const rest = {...fieldErrors};
            delete rest[field.name];
            setFieldErrors(rest);
        }
        if (field.refresh) {
            if (field.type === 'text') {
                pendingCommit.current.add(field.name);
            } else {
                void fetchSource(form, field.name, next);
            }
        }
    };

    const onCommit = (field: Field) => {
        if (pendingCommit.current.delete(field.name)) {
            void fetchSource(form, field.name, valuesRef.current);
        }
    };

    const loadOptions = useCallback(
        (field: Field, query: string, signal: AbortSignal) => loadFieldOptions(ctl, context, valuesRef.current, field, query, signal),
        [ctl, context],
    );

    const submit = async (button: SelectOption | null) => {
        if (busy) {
            return;
        }
        const errors = validateForm(form, valuesRef.current, form.submit_buttons);
        if (Object.keys(errors).length) {
            setFieldErrors(errors);
            setFormError(t('apps.form.errors_below'));
            const first = (form.fields ?? []).find((f) => errors[f.name]);
            if (first) {
                focusField(first.name);
            }
            return;
        }
        if (!form.submit) {
            setFormError(t('apps.form.no_submit'));
            return;
        }
        const vals: FormValues = {...valuesRef.current};
        if (form.submit_buttons && button) {
            vals[form.submit_buttons] = button;
        }
        setBusy('submit');
        setActiveButton(button ? button.value : '');
        setFormError('');
        const resp = await ctl.call(form.submit, context, {values: vals, track_as_submit: true});
        if (!mounted.current) {
            return;
        }
        setBusy(null);
        if (context.app_id === 'apps' && resp.type !== 'error') {
            // The built-in app installs/manages apps: lists may have changed.
            ctl.appsChanged();
        }
        switch (resp.type) {
        case 'error':
            showErrors(resp, form.fields ?? []);
            return;
        case 'form':
            if (resp.form) {
                applyForm(resp.form, false);
            }
            return;
        default:
            onClose();
            ctl.handleResponse(resp, context);
        }
    };

    const buttons = submitButtons(form);
    const fields = visibleFields(form);
    const submitting = busy === 'submit';
    const noSubmit = !form.submit && !needsSource(form);

    const footer = (
        <>
            {busy === 'refresh' ? (
                <span
                    className='mmapps-status'
                    role='status'
                >
                    {t('apps.form.loading')}
                </span>
            ) : null}
            <button
                type='button'
                className='mmapps-button mmapps-button-tertiary'
                onClick={onClose}
            >
                {t('apps.form.cancel')}
            </button>
            {(buttons ?? [null]).map((b, i) => (
                <button
                    key={b ? b.value : 'submit'}
                    type='submit'
                    className={'mmapps-button' + (i === 0 ? ' mmapps-button-primary' : ' mmapps-button-secondary')}
                    disabled={Boolean(busy) || noSubmit}
                    onClick={() => {
                        pressed.current = b;
                    }}
                >
                    {submitting && activeButton === (b ? b.value : '') ? t('apps.form.submitting') : (b ? b.label : t('apps.form.submit'))}
                </button>
            ))}
        </>
    );

    return (
        <Dialog
            title={form.title || t('apps.form.untitled')}
            icon={form.icon}
            onClose={onClose}
            footer={footer}
            busy={Boolean(busy)}
            className='mmapps-form-dialog'
            testId='apps-form'
            formProps={{
                ref: bodyRef,
                noValidate: true,
                onSubmit: (e) => {
                    e.preventDefault();
                    const b = pressed.current ?? (buttons ? buttons[0] : null);
                    pressed.current = null;
                    void submit(b);
                },
            }}
        >
            <Markdown
                className='mmapps-form-header'
                text={form.header}
            />
            {formError ? (
                <div
                    ref={errorRef}
                    className='mmapps-form-error'
                    role='alert'
                    tabIndex={-1}
                >
                    <Markdown text={formError}/>
                </div>
            ) : null}
            {busy === 'source' ? (
                <div
                    className='mmapps-status mmapps-loading'
                    role='status'
                >
                    {t('apps.form.loading')}
                </div>
            ) : fields.map((field, i) => (
                <AppsField
                    key={field.name || `markdown-${i}`}
                    id={fieldDomId(field.name || `markdown-${i}`)}
                    field={field}
                    value={values[field.name]}
                    error={fieldErrors[field.name]}
                    disabled={submitting}
                    onChange={onChange}
                    onCommit={onCommit}
                    loadOptions={loadOptions}
                />
            ))}
            <Markdown
                className='mmapps-form-footer'
                text={form.footer}
            />
        </Dialog>
    );
}

// AppsFormModal is mounted at the root: it shows the open form, if any.
export default function AppsFormModal(): React.ReactElement | null {
    const ctl = useController();
    const open = useSelector((state: GlobalState) => getPluginState(state).form);
    const close = useCallback(() => ctl.closeForm(), [ctl]);
    if (!open) {
        return null;
    }
    return (
        <AppsForm
            key={open.key}
            form={open.form}
            context={open.context}
            onClose={close}
        />
    );
}
