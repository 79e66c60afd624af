import type {PluginClass, PluginRegistry, Store} from '../types/mattermost';

type GlobalsWithDefines = typeof globalThis & {PLUGIN_ID?: string};

function loadEntry(): jest.Mock {
    const registerPlugin = jest.fn();
    window.registerPlugin = registerPlugin;
    jest.isolateModules(() => {
        require('../index');
    });
    return registerPlugin;
}

function fakeRegistry(): PluginRegistry {
    return {
        registerRootComponent: jest.fn().mockReturnValue('root-id'),
        registerChannelHeaderButtonAction: jest.fn().mockReturnValue('header-id'),
        registerPostDropdownMenuAction: jest.fn().mockReturnValue('post-id'),
        registerMainMenuAction: jest.fn().mockReturnValue('menu-id'),
        registerWebSocketEventHandler: jest.fn(),
        unregisterWebSocketEventHandler: jest.fn(),
        registerReconnectHandler: jest.fn(),
        unregisterReconnectHandler: jest.fn(),
        registerReducer: jest.fn(),
        unregisterComponent: jest.fn(),
    };
}

function fakeStore(): Store {
    return {
        getState: jest.fn(() => ({})),
        dispatch: jest.fn(),
        subscribe: jest.fn(() => () => undefined),
    };
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

describe('Plugin', () => {
    it('initializes with a registry without registering anything visible', async () => {
        const registerPlugin = loadEntry();
        const plugin = registerPlugin.mock.calls[0][1] as PluginClass;
        const registry = fakeRegistry();

        await expect(Promise.resolve(plugin.initialize(registry, fakeStore()))).resolves.toBeUndefined();

        expect(registry.registerRootComponent).not.toHaveBeenCalled();
        expect(registry.registerChannelHeaderButtonAction).not.toHaveBeenCalled();
        expect(registry.registerPostDropdownMenuAction).not.toHaveBeenCalled();
        expect(registry.registerMainMenuAction).not.toHaveBeenCalled();
        expect(registry.registerReducer).not.toHaveBeenCalled();
        // Nothing at all is registered yet.
        for (const fn of Object.values(registry)) {
            expect(fn).not.toHaveBeenCalled();
        }
    });

    it('uninitializes cleanly, also when never initialized', () => {
        const registerPlugin = loadEntry();
        const plugin = registerPlugin.mock.calls[0][1] as PluginClass;

        expect(() => plugin.uninitialize?.()).not.toThrow();
        plugin.initialize(fakeRegistry(), fakeStore());
        expect(() => plugin.uninitialize?.()).not.toThrow();
    });
});
