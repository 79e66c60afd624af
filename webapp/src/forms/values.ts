// Form values: their initial state from the fields, client-side checks, and
// the shape sent in CallRequest.values (text → string, bool → boolean,
// selects/users/channels → {label, value}, multiselect → an array of those).

import {t} from '../i18n';
import type {Field, Form, FormValue, FormValues, SelectOption} from '../types/apps';

export function isSelectType(field: Field): boolean {
    return field.type === 'static_select' || field.type === 'dynamic_select' || field.type === 'user' || field.type === 'channel';
}

export function fieldLabel(field: Field): string {
    return field.modal_label || field.label || field.name;
}

function toOption(v: unknown, options?: SelectOption[]): SelectOption | null {
    if (v === null || v === undefined || v === '') {
        return null;
    }
    if (typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Partial<SelectOption>;
        if (o.value === undefined || o.value === null) {
            return null;
        }
        const value = String(o.value);
        const known = options?.find((x) => x.value === value);
        return {label: o.label ?? known?.label ?? value, value, ...(o.icon_data ? {icon_data: o.icon_data} : {})};
    }
    const value = String(v);
    const known = options?.find((x) => x.value === value);
    if (known) {
        return known;
    }
    return options ? null : {label: value, value};
}

export function initialValue(field: Field): FormValue {
    switch (field.type) {
    case 'bool':
        return field.value === true || field.value === 'true';
    case 'markdown':
        return null;
    case 'static_select':
    case 'dynamic_select':
    case 'user':
    case 'channel': {
        const options = field.type === 'static_select' ? (field.options ?? []) : undefined;
        if (field.multiselect) {
            const list = Array.isArray(field.value) ? field.value : (field.value === undefined || field.value === null ? [] : [field.value]);
            return list.map((v) => toOption(v, options)).filter((o): o is SelectOption => Boolean(o));
        }
        return toOption(Array.isArray(field.value) ? field.value[0] : field.value, options);
    }
    default:
        if (field.value === undefined || field.value === null) {
            return '';
        }
        return typeof field.value === 'object' ? String((field.value as {value?: unknown}).value ?? '') : String(field.value);
    }
}

// initialValues fills values from the fields; with previous values (after a
// refresh), a field whose new definition has no value keeps the old one.
export function initialValues(form: Form, previous?: FormValues): FormValues {
    const out: FormValues = {};
    for (const field of form.fields ?? []) {
        if (!field.name || field.type === 'markdown') {
            continue;
        }
        const hasValue = field.value !== undefined && field.value !== null;
        out[field.name] = !hasValue && previous && field.name in previous ? previous[field.name] : initialValue(field);
    }
    return out;
}

export function isEmptyValue(v: FormValue | undefined): boolean {
    return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

// validateField returns the client-side error for one field, or "".
export function validateField(field: Field, value: FormValue | undefined): string {
    if (field.type === 'markdown' || field.readonly) {
        return '';
    }
    // A required checkbox must be checked, as in HTML (consent forms).
    if (field.is_required && (field.type === 'bool' ? value !== true : isEmptyValue(value))) {
        return t('apps.form.required');
    }
    if (field.type === 'text' && typeof value === 'string' && value !== '') {
        if (field.min_length && value.length < field.min_length) {
            return t('apps.form.min_length', {min: field.min_length});
        }
        if (field.max_length && value.length > field.max_length) {
            return t('apps.form.max_length', {max: field.max_length});
        }
        if (field.subtype === 'number' && !Number.isFinite(Number(value))) {
            return t('apps.form.invalid_number');
        }
        if (field.subtype === 'email' && !/^[^\s@]+@[^\s@]+$/.test(value)) {
            return t('apps.form.invalid_email');
        }
        if (field.subtype === 'url') {
            try {
                new URL(value);
            } catch {
                return t('apps.form.invalid_url');
            }
        }
    }
    return '';
}

export function validateForm(form: Form, values: FormValues, skip?: string): Record<string, string> {
    const errors: Record<string, string> = {};
    for (const field of form.fields ?? []) {
        if (!field.name || field.name === skip) {
            continue;
        }
        const err = validateField(field, values[field.name]);
        if (err) {
            errors[field.name] = err;
        }
    }
    return errors;
}

// visibleFields are the fields shown as inputs: not the one named by
// submit_buttons (its options are the submit buttons).
export function visibleFields(form: Form): Field[] {
    return (form.fields ?? []).filter((f) => f.name !== form.submit_buttons || !form.submit_buttons);
}

export function submitButtons(form: Form): SelectOption[] | null {
    if (!form.submit_buttons) {
        return null;
    }
    const field = (form.fields ?? []).find((f) => f.name === form.submit_buttons);
    return field?.options?.length ? field.options : null;
}
