// One form field: a label, the input for its type, its description as help
// text and its error, tied together with htmlFor / aria-describedby.

import React, {useCallback} from 'react';

import {fieldLabel} from '../../forms/values';
import {t} from '../../i18n';
import type {Field, FormValue, SelectOption} from '../../types/apps';
import Markdown from '../Markdown';

import Combobox from './Combobox';

export type OptionsLoader = (field: Field, query: string, signal: AbortSignal) => Promise<SelectOption[]>;

export interface AppsFieldProps {
    field: Field;
    id: string;
    value: FormValue | undefined;
    error?: string;
    disabled?: boolean;
    onChange: (field: Field, value: FormValue) => void;
    // Called when a text field loses focus (refresh fields refresh then).
    onCommit?: (field: Field) => void;
    loadOptions: OptionsLoader;
}

const INPUT_TYPES: Record<string, string> = {
    input: 'text',
    number: 'number',
    email: 'email',
    password: 'password',
    url: 'url',
    tel: 'tel',
};

// Remote lookups wait for typing to pause.
export const LOOKUP_DEBOUNCE_MS = 250;

export function filterOptions(options: SelectOption[], query: string): SelectOption[] {
    const q = query.trim().toLowerCase();
    if (!q) {
        return options;
    }
    return options.filter((o) => o.label.toLowerCase().includes(q) || o.value.toLowerCase().includes(q));
}

export default function AppsField(props: AppsFieldProps): React.ReactElement {
    const {field, id, error} = props;
    const label = fieldLabel(field);
    const descId = field.description && field.type !== 'markdown' ? `${id}-desc` : undefined;
    const errId = error ? `${id}-error` : undefined;
    const describedBy = [descId, errId].filter(Boolean).join(' ') || undefined;
    const disabled = props.disabled;

    const load = useCallback(
        (query: string, signal: AbortSignal) => props.loadOptions(field, query, signal),
        [field, props.loadOptions],
    );

    if (field.type === 'markdown') {
        return (
            <div className='mmapps-field mmapps-field-markdown'>
                <Markdown text={field.description ?? (typeof field.value === 'string' ? field.value : '')}/>
            </div>
        );
    }

    const labelEl = (
        <label
            className='mmapps-field-label'
            htmlFor={id}
        >
            {label}
            {field.is_required ? (
                <>
                    <span
                        className='mmapps-required'
                        aria-hidden='true'
                    >
                        {' *'}
                    </span>
                    <span className='mmapps-sr-only'>{' ' + t('apps.form.required_marker')}</span>
                </>
            ) : null}
        </label>
    );

    let control: React.ReactNode;
    switch (field.type) {
    case 'bool':
        control = (
            <div className='mmapps-checkbox'>
                <input
                    id={id}
                    type='checkbox'
                    name={field.name}
                    checked={props.value === true}
                    disabled={disabled || field.readonly}
                    aria-describedby={describedBy}
                    aria-invalid={error ? true : undefined}
                    onChange={(e) => props.onChange(field, e.target.checked)}
                />
                {labelEl}
            </div>
        );
        break;
    case 'static_select':
    case 'dynamic_select':
    case 'user':
    case 'channel':
        control = (
            <Combobox
                id={id}
                label={label}
                value={(props.value ?? (field.multiselect ? [] : null)) as SelectOption | SelectOption[] | null}
                multi={field.multiselect}
                onChange={(v) => props.onChange(field, v)}
                load={load}
                debounceMs={field.type === 'static_select' ? 0 : LOOKUP_DEBOUNCE_MS}
                disabled={disabled}
                readOnly={field.readonly}
                required={field.is_required}
                invalid={Boolean(error)}
                describedBy={describedBy}
            />
        );
        break;
    default: {
        const common = {
            id,
            name: field.name,
            className: 'mmapps-input',
            value: typeof props.value === 'string' ? props.value : String(props.value ?? ''),
            placeholder: field.hint || undefined,
            disabled,
            readOnly: field.readonly,
            required: field.is_required,
            minLength: field.min_length || undefined,
            maxLength: field.max_length || undefined,
            'aria-describedby': describedBy,
            'aria-invalid': error ? true : undefined,
            onBlur: () => props.onCommit?.(field),
        };
        control = field.subtype === 'textarea' ? (
            <textarea
                {...common}
                rows={4}
                onChange={(e) => props.onChange(field, e.target.value)}
            />
        ) : (
            <input
                {...common}
                type={INPUT_TYPES[field.subtype ?? 'input'] ?? 'text'}
                autoComplete={field.subtype === 'password' ? 'new-password' : 'off'}
                onChange={(e) => props.onChange(field, e.target.value)}
            />
        );
    }
    }

    return (
        <div className={'mmapps-field mmapps-field-' + field.type + (error ? ' mmapps-has-error' : '')}>
            {field.type === 'bool' ? null : labelEl}
            {control}
            {descId ? (
                <Markdown
                    id={descId}
                    className='mmapps-help'
                    text={field.description}
                />
            ) : null}
            {errId ? (
                <div
                    id={errId}
                    className='mmapps-field-error mmapps-error-text'
                >
                    {error}
                </div>
            ) : null}
        </div>
    );
}
