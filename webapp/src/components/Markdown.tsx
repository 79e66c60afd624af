// A small, safe Markdown renderer for app texts (notices, form headers,
// markdown fields): paragraphs, line breaks, headings, lists, code blocks,
// **bold**, *italic*, ~~strike~~, `code`, [links](url) and bare URLs.
// It builds React elements (never HTML strings); links are limited to
// http(s), mailto and relative URLs and open in a new tab.

import React from 'react';

const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(~~[^~]+~~)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/;

export function safeHref(href: string): string | undefined {
    const h = href.trim();
    if (/^(https?:|mailto:)/i.test(h) || h.startsWith('/') || h.startsWith('#')) {
        return h;
    }
    return undefined;
}

function link(text: React.ReactNode, href: string, key: string): React.ReactNode {
    const safe = safeHref(href);
    if (!safe) {
        return <React.Fragment key={key}>{text}</React.Fragment>;
    }
    return (
        <a
            key={key}
            href={safe}
            target='_blank'
            rel='noopener noreferrer'
        >
            {text}
        </a>
    );
}

export function renderInline(text: string, keyPrefix = 'i'): React.ReactNode[] {
    const out: React.ReactNode[] = [];
    let rest = text;
    let n = 0;
    while (rest) {
        const m = INLINE.exec(rest);
        if (!m) {
            out.push(rest);
            break;
        }
        if (m.index > 0) {
            out.push(rest.slice(0, m.index));
        }
        const tok = m[0];
        const key = `${keyPrefix}-${n++}`;
        if (m[1]) {
            out.push(<code key={key}>{tok.slice(1, -1)}</code>);
        } else if (m[2]) {
            out.push(<strong key={key}>{renderInline(tok.slice(2, -2), key)}</strong>);
        } else if (m[3]) {
            out.push(<del key={key}>{renderInline(tok.slice(2, -2), key)}</del>);
        } else if (m[4]) {
            out.push(<em key={key}>{renderInline(tok.slice(1, -1), key)}</em>);
        } else if (m[5]) {
            const close = tok.indexOf('](');
            out.push(link(renderInline(tok.slice(1, close), key), tok.slice(close + 2, -1), key));
        } else {
            out.push(link(tok, tok, key));
        }
        rest = rest.slice(m.index + tok.length);
    }
    return out;
}

function withBreaks(lines: string[], key: string): React.ReactNode[] {
    const out: React.ReactNode[] = [];
    lines.forEach((line, i) => {
        if (i > 0) {
            out.push(<br key={`${key}-br${i}`}/>);
        }
        out.push(...renderInline(line, `${key}-${i}`));
    });
    return out;
}

export function renderMarkdown(text: string): React.ReactNode[] {
    const lines = text.replace(/\r\n?/g, '\n').split('\n');
    const blocks: React.ReactNode[] = [];
    let para: string[] = [];
    let list: {ordered: boolean; items: string[]} | null = null;
    let i = 0;

    const flush = () => {
        const key = `b${blocks.length}`;
        if (para.length) {
            blocks.push(<p key={key}>{withBreaks(para, key)}</p>);
            para = [];
        }
        if (list) {
            const items = list.items.map((item, j) => <li key={j}>{renderInline(item, `${key}-${j}`)}</li>);
            blocks.push(list.ordered ? <ol key={key + 'l'}>{items}</ol> : <ul key={key + 'l'}>{items}</ul>);
            list = null;
        }
    };

    while (i < lines.length) {
        const line = lines[i];
        if (/^\s*```/.test(line)) {
            flush();
            const code: string[] = [];
            i++;
            while (i < lines.length && !/^\s*```/.test(lines[i])) {
                code.push(lines[i]);
                i++;
            }
            i++;
            blocks.push(<pre key={`b${blocks.length}`}><code>{code.join('\n')}</code></pre>);
            continue;
        }
        const heading = /^(#{1,6})\s+(.*)$/.exec(line);
        const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
        const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
        if (!line.trim()) {
            flush();
        } else if (heading) {
            flush();
            blocks.push(<p key={`b${blocks.length}`} className='mmapps-md-heading'><strong>{renderInline(heading[2], `h${i}`)}</strong></p>);
        } else if (bullet || numbered) {
            const ordered = Boolean(numbered);
            if (para.length || (list && list.ordered !== ordered)) {
                flush();
            }
            if (!list) {
                list = {ordered, items: []};
            }
            list.items.push((bullet ?? numbered)![1]);
        } else {
            if (list) {
                flush();
            }
            para.push(line);
        }
        i++;
    }
    flush();
    return blocks;
}

export default function Markdown({text, className, id}: {text?: string; className?: string; id?: string}): React.ReactElement | null {
    if (!text) {
        return null;
    }
    return (
        <div
            id={id}
            className={'mmapps-markdown' + (className ? ' ' + className : '')}
        >
            {renderMarkdown(text)}
        </div>
    );
}
