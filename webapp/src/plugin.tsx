import type {PluginClass, PluginRegistry, Store} from './types/mattermost';

// The Apps plugin's web app. Nothing visible is registered yet; bindings,
// the forms modal and the marketplace hook in here later.
export default class Plugin implements PluginClass {
    private registry: PluginRegistry | null = null;
    private store: Store | null = null;

    public initialize(registry: PluginRegistry, store: Store): void {
        this.registry = registry;
        this.store = store;
    }

    public uninitialize(): void {
        this.registry = null;
        this.store = null;
    }

    public isInitialized(): boolean {
        return this.registry !== null && this.store !== null;
    }
}
