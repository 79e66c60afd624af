// An accessible select with typing (ARIA 1.2 combobox + listbox), used for
// static and dynamic selects and the user and channel pickers, single or
// multi. Options come from load(query): static selects filter locally,
// the others ask the server (debounced; stale answers are dropped).
//
// Keys: ↓/↑ move, Enter picks (and does not submit the form), Esc closes the
// list (and not the dialog), Backspace in an empty box removes the last pick.

import React, {useCallback, useEffect, useId, useRef, useState} from 'react';

import {t} from '../../i18n';
import type {SelectOption} from '../../types/apps';

export interface ComboboxProps {
    id: string;
    label: string;
    value: SelectOption | SelectOption[] | null;
    multi?: boolean;
    onChange: (value: SelectOption | SelectOption[] | null) => void;
    load: (query: string, signal: AbortSignal) => Promise<SelectOption[]>;
    // Delay before a load while typing (0 for local options).
    debounceMs?: number;
    disabled?: boolean;
    readOnly?: boolean;
    required?: boolean;
    invalid?: boolean;
    describedBy?: string;
    onBlur?: () => void;
}

function OptionIcon({src}: {src?: string}): React.ReactElement | null {
    if (!src) {
        return null;
    }
    return (
        <img
            className='mmapps-option-icon'
            src={src}
            alt=''
            width={16}
            height={16}
        />
    );
}

export default function Combobox(props: ComboboxProps): React.ReactElement {
    const listId = useId();
    const inputRef = useRef<HTMLInputElement>(null);
    const [open, setOpen] = useState(false);
    const [query, setQuery] = useState('');
    const [options, setOptions] = useState<SelectOption[]>([]);
    const [active, setActive] = useState(-1);
    const [loading, setLoading] = useState(false);
    const [error, setError] = useState('');
    const seq = useRef(0);
    const abort = useRef<AbortController | null>(null);
    const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

    const selected: SelectOption[] = Array.isArray(props.value) ? props.value : (props.value ? [props.value] : []);
    const single = !props.multi ? (props.value as SelectOption | null) : null;
    const locked = props.disabled || props.readOnly;

    const runLoad = useCallback((q: string) => {
        if (timer.current) {
            clearTimeout(timer.current);
            timer.current = null;
        }
        abort.current?.abort();
        const controller = new AbortController();
        abort.current = controller;
        const mine = ++seq.current;
        setLoading(true);
        setError('');
        const go = () => {
            props.load(q, controller.signal).then((items) => {
                if (mine !== seq.current) {
                    return;
                }
                setOptions(items);
                setActive(items.length ? 0 : -1);
                setLoading(false);
            }, (err: unknown) => {
                if (mine !== seq.current || controller.signal.aborted) {
                    return;
                }
                setOptions([]);
                setActive(-1);
                setLoading(false);
                setError(String((err as Error)?.message ?? err));
            });
        };
        const delay = props.debounceMs ?? 0;
        if (delay > 0) {
            timer.current = setTimeout(go, delay);
        } else {
            go();
        }
    }, [props.load, props.debounceMs]);

    useEffect(() => () => {
        abort.current?.abort();
        if (timer.current) {
            clearTimeout(timer.current);
        }
    }, []);

    const openList = (q: string) => {
        setOpen(true);
        runLoad(q);
    };

    const close = () => {
        setOpen(false);
        setActive(-1);
        abort.current?.abort();
        if (timer.current) {
            clearTimeout(timer.current);
            timer.current = null;
        }
        seq.current++;
        setLoading(false);
    };

    const pick = (opt: SelectOption) => {
        if (props.multi) {
            if (!selected.some((s) => s.value === opt.value)) {
                props.onChange([...selected, opt]);
            }
            setQuery('');
            runLoad('');
        } else {
            props.onChange(opt);
            setQuery('');
            close();
        }
    };

    const remove = (opt: SelectOption) => {
        props.onChange(selected.filter((s) => s.value !== opt.value));
        inputRef.current?.focus();
    };

    const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
        if (locked) {
            return;
        }
        switch (e.key) {
        case 'ArrowDown':
            e.preventDefault();
            if (!open) {
                openList(query);
            } else if (options.length) {
                setActive((a) => (a + 1) % options.length);
            }
            break;
        case 'ArrowUp':
            e.preventDefault();
            if (open && options.length) {
                setActive((a) => (a <= 0 ? options.length - 1 : a - 1));
            }
            break;
        case 'Enter':
            if (open) {
                // Picking an option is not a form submit.
                e.preventDefault();
                e.stopPropagation();
                if (active >= 0 && options[active]) {
                    pick(options[active]);
                }
            }
            break;
        case 'Escape':
            if (open) {
                // Closing the list is not closing the dialog.
                e.preventDefault();
                e.stopPropagation();
                close();
            }
            break;
        case 'Backspace':
            if (props.multi && query === '' && selected.length) {
                props.onChange(selected.slice(0, -1));
            }
            break;
        case 'Tab':
            close();
            break;
        }
    };

    const activeId = open && active >= 0 ? `${listId}-opt-${active}` : undefined;
    // A single pick shows in the box until the list opens for typing.
    const showsPick = Boolean(single) && !open && query === '';
    const placeholder = single ? single.label : (selected.length ? t('apps.select.search_placeholder') : t('apps.select.placeholder'));

    return (
        <div className={'mmapps-combobox' + (props.invalid ? ' mmapps-invalid' : '') + (locked ? ' mmapps-disabled' : '')}>
            <div className='mmapps-combobox-control'>
                {props.multi && selected.map((s) => (
                    <span
                        key={s.value}
                        className='mmapps-chip'
                    >
                        <OptionIcon src={s.icon_data}/>
                        <span>{s.label}</span>
                        {!locked && (
                            <button
                                type='button'
                                className='mmapps-chip-remove'
                                aria-label={t('apps.select.remove', {label: s.label})}
                                onClick={() => remove(s)}
                            >
                                <span aria-hidden='true'>{'×'}</span>
                            </button>
                        )}
                    </span>
                ))}
                {showsPick && single?.icon_data ? <OptionIcon src={single.icon_data}/> : null}
                <input
                    ref={inputRef}
                    id={props.id}
                    type='text'
                    role='combobox'
                    className='mmapps-combobox-input'
                    autoComplete='off'
                    aria-autocomplete='list'
                    aria-expanded={open}
                    aria-controls={listId}
                    aria-activedescendant={activeId}
                    aria-required={props.required || undefined}
                    aria-invalid={props.invalid || undefined}
                    aria-describedby={props.describedBy}
                    disabled={props.disabled}
                    readOnly={props.readOnly}
                    value={showsPick ? single!.label : query}
                    placeholder={placeholder}
                    onChange={(e) => {
                        let q = e.target.value;
                        if (showsPick && q.startsWith(single!.label)) {
                            q = q.slice(single!.label.length);
                        }
                        setQuery(q);
                        setOpen(true);
                        runLoad(q);
                    }}
                    onClick={() => !locked && !open && openList(query)}
                    onBlur={() => {
                        close();
                        setQuery('');
                        props.onBlur?.();
                    }}
                    onKeyDown={onKeyDown}
                />
                {!props.multi && single && !locked && !props.required ? (
                    <button
                        type='button'
                        className='mmapps-icon-button mmapps-combobox-clear'
                        aria-label={t('apps.select.clear', {label: props.label})}
                        onClick={() => {
                            props.onChange(null);
                            inputRef.current?.focus();
                        }}
                    >
                        <span aria-hidden='true'>{'×'}</span>
                    </button>
                ) : null}
                <span
                    className='mmapps-combobox-caret'
                    aria-hidden='true'
                >
                    {'▾'}
                </span>
            </div>
            <ul
                id={listId}
                role='listbox'
                aria-label={props.label}
                aria-multiselectable={props.multi || undefined}
                className='mmapps-listbox'
                hidden={!open}
            >
                {open && loading && options.length === 0 ? <li className='mmapps-listbox-status' role='presentation'>{t('apps.select.loading')}</li> : null}
                {open && !loading && error ? <li className='mmapps-listbox-status mmapps-error-text' role='presentation'>{t('apps.select.error', {error})}</li> : null}
                {open && !loading && !error && options.length === 0 ? <li className='mmapps-listbox-status' role='presentation'>{t('apps.select.no_options')}</li> : null}
                {open && options.map((opt, i) => {
                    const isSelected = selected.some((s) => s.value === opt.value);
                    return (
                        <li
                            key={opt.value + '\u0000' + i}
                            id={`${listId}-opt-${i}`}
                            role='option'
                            aria-selected={isSelected}
                            className={'mmapps-option' + (i === active ? ' mmapps-active' : '') + (isSelected ? ' mmapps-selected' : '')}
                            onMouseDown={(e) => e.preventDefault()}
                            onMouseEnter={() => setActive(i)}
                            onClick={() => pick(opt)}
                        >
                            <OptionIcon src={opt.icon_data}/>
                            <span>{opt.label}</span>
                        </li>
                    );
                })}
            </ul>
        </div>
    );
}
