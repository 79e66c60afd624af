import {render, screen} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React, {useState} from 'react';

import Dialog from '../components/Dialog';

function Stack({onCloseOuter, onCloseInner}: {onCloseOuter: () => void; onCloseInner: () => void}) {
    const [inner, setInner] = useState(false);
    return (
        <>
            <button type='button'>outside</button>
            <Dialog
                title='Outer'
                onClose={onCloseOuter}
            >
                <button
                    type='button'
                    onClick={() => setInner(true)}
                >
                    open inner
                </button>
            </Dialog>
            {inner ? (
                <Dialog
                    title='Inner'
                    onClose={() => {
                        onCloseInner();
                        setInner(false);
                    }}
                >
                    <input aria-label='inner field'/>
                </Dialog>
            ) : null}
        </>
    );
}

describe('Dialog', () => {
    it('stacks: Esc and focus belong to the top dialog, focus returns on close', async () => {
        const user = userEvent.setup();
        const outer = jest.fn();
        const inner = jest.fn();
        render(<Stack onCloseOuter={outer} onCloseInner={inner}/>);
        const open = screen.getByRole('button', {name: 'open inner'});
        expect(open).toHaveFocus();

        await user.click(open);
        expect(screen.getByLabelText('inner field')).toHaveFocus();

        // Focus pushed outside the top dialog comes back in.
        screen.getByRole('button', {name: 'outside'}).focus();
        expect(screen.getByRole('dialog', {name: 'Inner'}).contains(document.activeElement)).toBe(true);

        await user.keyboard('{Escape}');
        expect(inner).toHaveBeenCalledTimes(1);
        expect(outer).not.toHaveBeenCalled();
        expect(open).toHaveFocus();

        // With focus lost to the body, Esc still closes the (now top) outer one.
        (document.activeElement as HTMLElement).blur();
        await user.keyboard('{Escape}');
        expect(outer).toHaveBeenCalledTimes(1);
    });
});
