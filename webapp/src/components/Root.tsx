// Mounted once with registerRootComponent: the modals and the notices.

import React from 'react';

import {getControllerContext, type Controller} from '../controller';

import AppsFormModal from './AppsForm';
import MarketplaceModal from './Marketplace';
import Notices from './Notices';

export function makeRoot(ctl: Controller): React.ComponentType {
    function AppsPluginRoot(): React.ReactElement {
        const ControllerContext = getControllerContext();
        return (
            <ControllerContext.Provider value={ctl}>
                <div className='mmapps-root'>
                    <Notices/>
                    <MarketplaceModal/>
                    <AppsFormModal/>
                </div>
            </ControllerContext.Provider>
        );
    }
    return AppsPluginRoot;
}
