// Strings of the plugin's UI. English lives in en.json (the one file to
// translate); t() formats a message with {name} placeholders.

import en from './en.json';

export type MessageId = keyof typeof en;

type Messages = Record<string, string>;

const catalogs: Record<string, Messages> = {en};
let current: Messages = en;

// setLocale switches to a registered catalog; unknown locales keep English.
export function setLocale(locale?: string): void {
    const base = (locale ?? 'en').toLowerCase().split(/[-_]/)[0];
    current = catalogs[locale ?? ''] ?? catalogs[base] ?? en;
}

// addCatalog registers translations for a locale (missing ids fall back to
// English).
export function addCatalog(locale: string, messages: Messages): void {
    catalogs[locale] = {...en, ...messages};
}

export function t(id: MessageId, values?: Record<string, string | number>): string {
    const template = current[id] ?? en[id] ?? id;
    if (!values) {
        return template;
    }
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
