import type {PluginClass} from '../types/mattermost';

// The plugin's wiring with a registry and a store is in plugin.test.tsx.

type GlobalsWithDefines = typeof globalThis & {PLUGIN_ID?: string};

function loadEntry(): jest.Mock {
    const registerPlugin = jest.fn();
    window.registerPlugin = registerPlugin;
    jest.isolateModules(() => {
        require('../index');
    });
    return registerPlugin;
}

describe('webapp entry', () => {
    const g = globalThis as GlobalsWithDefines;
    const originalId = g.PLUGIN_ID;

    afterEach(() => {
        g.PLUGIN_ID = originalId;
    });

    it('registers the plugin under the configured id', () => {
        const registerPlugin = loadEntry();

        expect(registerPlugin).toHaveBeenCalledTimes(1);
        const [id, plugin] = registerPlugin.mock.calls[0] as [string, PluginClass];
        expect(id).toBe('com.mattermost.apps');
        expect(typeof plugin.initialize).toBe('function');
        expect(typeof plugin.uninitialize).toBe('function');
    });

    it('uses the build-time PLUGIN_ID constant', () => {
        g.PLUGIN_ID = 'com.example.custom-apps';
        const registerPlugin = loadEntry();

        expect(registerPlugin).toHaveBeenCalledWith('com.example.custom-apps', expect.any(Object));
    });

    it('falls back to the default id when no constant is defined', () => {
        delete g.PLUGIN_ID;
        const registerPlugin = loadEntry();

        expect(registerPlugin).toHaveBeenCalledWith('com.mattermost.apps', expect.any(Object));
    });
});

