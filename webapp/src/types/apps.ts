// JSON shapes of the Apps Framework, mirroring the Go definitions in
// apps/*.go field for field (JSON names, optionality as `omitempty`).
// Where Go accepts two JSON forms (a Call or a Form given as a bare string),
// the *JSON types say so and normalizeCall / normalizeForm turn them into
// the object form the UI works with.

import type {Channel, ChannelMembership} from '@mattermost/types/channels';
import type {Post} from '@mattermost/types/posts';
import type {Team, TeamMembership} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';

// apps/manifest.go: AppID, AppVersion.
export type AppID = string;
export type AppVersion = string;

// apps/location.go
export type Location = string;
export const LocationPostMenu = '/post_menu';
export const LocationChannelHeader = '/channel_header';
export const LocationCommand = '/command';
export const LocationInPost = '/in_post';

// apps/expand.go: "" | "id" | "summary" | "all", optionally prefixed with "+".
export type ExpandLevel = string;

export interface Expand {
    app?: ExpandLevel;
    acting_user?: ExpandLevel;
    acting_user_access_token?: ExpandLevel;
    locale?: ExpandLevel;
    channel?: ExpandLevel;
    channel_member?: ExpandLevel;
    team?: ExpandLevel;
    team_member?: ExpandLevel;
    post?: ExpandLevel;
    root_post?: ExpandLevel;
    user?: ExpandLevel;
    oauth2_app?: ExpandLevel;
    oauth2_user?: ExpandLevel;
}

// apps/call.go
export interface Call {
    path?: string;
    expand?: Expand;
    state?: unknown;
}

// In JSON a Call may also be a bare string: the path.
export type CallJSON = Call | string;

// apps/subscription.go
export type Subject = string;

// apps/context.go: OAuth2App, OAuth2Context.
export interface OAuth2App {
    remote_root_url?: string;
    client_id?: string;
    client_secret?: string;
    data?: unknown;
}

export interface OAuth2Context extends OAuth2App {
    connect_url?: string;
    complete_url?: string;
    user?: unknown;
}

// apps/context.go: UserAgentContext, the part a client sends.
export interface UserAgentContext {
    channel_id?: string;
    team_id?: string;
    post_id?: string;
    root_post_id?: string;
    app_id: AppID;
    location?: Location;
    user_agent?: string;
    track_as_submit?: boolean;
}

// apps/context.go: ExpandedContext, the part the plugin fills.
export interface ExpandedContext {
    mattermost_site_url?: string;
    developer_mode?: boolean;
    app_path?: string;
    bot_user_id?: string;
    bot_access_token?: string;
    app?: App;
    acting_user?: UserProfile;
    acting_user_access_token?: string;
    locale?: string;
    channel?: Channel;
    channel_member?: ChannelMembership;
    team?: Team;
    team_member?: TeamMembership;
    post?: Post;
    root_post?: Post;
    user?: UserProfile;
    mentioned?: UserProfile[];
    oauth2?: OAuth2Context;
}

// apps/context.go: Context is flat JSON.
export interface Context extends UserAgentContext, ExpandedContext {
    subject?: Subject;
    acting_user_id?: string;
    user_id?: string;
}

// apps/call_request.go. Select values are option objects {label, value}.
export type FormValue = string | boolean | number | SelectOption | SelectOption[] | null;
export type FormValues = Record<string, FormValue>;

export interface CallRequest extends Call {
    values?: FormValues;
    context: Context;
    raw_command?: string;
    selected_field: string;
    query: string;
}

// apps/call_response.go
export type CallResponseType = 'ok' | 'error' | 'form' | 'call' | 'navigate';
export const CallResponseTypes = {
    OK: 'ok',
    ERROR: 'error',
    FORM: 'form',
    CALL: 'call',
    NAVIGATE: 'navigate',
} as const;

export interface CallResponse<T = unknown> {
    type: CallResponseType;
    text?: string;
    refresh_bindings?: boolean;
    data?: T;
    navigate_to_url?: string;
    use_external_browser?: boolean;
    call?: Call;
    form?: Form;
}

export interface AppMetadataForClient {
    bot_user_id?: string;
    bot_username?: string;
}

// The plugin's /api/v1/call response.
export interface ProxyCallResponse<T = unknown> extends CallResponse<T> {
    app_metadata?: AppMetadataForClient;
}

export interface LookupResponse {
    items: SelectOption[];
}

// Error responses may carry per-field errors in data.errors (v0.x and v1).
export interface ErrorResponseData {
    errors?: Record<string, string>;
}

// apps/binding.go
export interface Binding {
    app_id?: AppID;
    location?: Location;
    icon?: string;
    label?: string;
    hint?: string;
    description?: string;
    submit?: Call;
    form?: Form;
    bindings?: Binding[];
}

// apps/form.go
export interface Form {
    source?: Call;
    title?: string;
    header?: string;
    footer?: string;
    icon?: string;
    submit?: Call;
    submit_buttons?: string;
    fields?: Field[];
}

// In JSON a Form may also be a bare string: the source path.
export type FormJSON = Form | string;

// apps/field.go
export type FieldType = 'text' | 'static_select' | 'dynamic_select' | 'bool' | 'user' | 'channel' | 'markdown';
export const FieldTypes = {
    TEXT: 'text',
    STATIC_SELECT: 'static_select',
    DYNAMIC_SELECT: 'dynamic_select',
    BOOL: 'bool',
    USER: 'user',
    CHANNEL: 'channel',
    MARKDOWN: 'markdown',
} as const;

export type TextFieldSubtype = 'input' | 'textarea' | 'number' | 'email' | 'tel' | 'url' | 'password';

export interface SelectOption {
    label: string;
    value: string;
    icon_data?: string;
}

export interface Field {
    name: string;
    type: FieldType;
    is_required?: boolean;
    readonly?: boolean;
    value?: unknown;
    description?: string;
    label?: string;
    hint?: string;
    position?: number;
    modal_label?: string;
    multiselect?: boolean;
    refresh?: boolean;
    options?: SelectOption[];
    lookup?: Call;
    subtype?: TextFieldSubtype;
    min_length?: number;
    max_length?: number;
}

// apps/permission.go
export type Permission =
    | 'user_joined_channel_notification'
    | 'act_as_bot'
    | 'act_as_user'
    | 'remote_oauth2'
    | 'remote_webhooks';

// apps/deploy.go
export type DeployType = 'http' | 'aws_lambda' | 'open_faas' | 'plugin' | 'builtin';

export interface HTTPDeploy {
    root_url?: string;
    use_jwt?: boolean;
}

export interface AWSLambdaFunction {
    path: string;
    name: string;
    handler: string;
    runtime: string;
}

export interface OpenFaaSFunction {
    path: string;
    name: string;
}

// apps/manifest.go
export interface Manifest {
    SchemaVersion?: string;
    app_id: AppID;
    version: AppVersion;
    homepage_url: string;
    display_name?: string;
    description?: string;
    icon?: string;

    bindings?: Call;
    on_install?: Call;
    on_version_changed?: Call;
    on_uninstall?: Call;
    on_enable?: Call;
    on_disable?: Call;
    get_oauth2_connect_url?: Call;
    on_oauth2_complete?: Call;
    on_remote_webhook?: Call;

    requested_permissions?: Permission[];
    remote_webhook_auth_type?: '' | 'none' | 'secret' | 'jwt';
    requested_locations?: Location[];

    http?: HTTPDeploy;
    aws_lambda?: {functions?: AWSLambdaFunction[]};
    open_faas?: {functions?: OpenFaaSFunction[]};
    plugin?: {plugin_id?: string};
    builtin?: Record<string, never>;
}

// apps/mattermost.go: OAuthApp (model.OAuthApp).
export interface OAuthApp {
    id: string;
    creator_id: string;
    create_at: number;
    update_at: number;
    client_secret: string;
    name: string;
    description: string;
    icon_url: string;
    callback_urls: string[];
    homepage: string;
    is_trusted: boolean;
    mattermost_app_id: string;
}

// apps/app.go
export interface App extends Manifest {
    deploy_type: DeployType;
    disabled?: boolean;
    secret?: string;
    webhook_secret?: string;
    bot_user_id?: string;
    bot_username?: string;
    mattermost_oauth2?: OAuthApp;
    remote_oauth2?: OAuth2App;
    granted_permissions?: Permission[];
    granted_locations?: Location[];
}

// apps/mattermost.go: MarketplaceLabel (model.MarketplaceLabel).
export interface MarketplaceLabel {
    name: string;
    description: string;
    url: string;
    color: string;
}

// apps/listed_app.go
export interface ListedApp {
    manifest: Manifest;
    installed: boolean;
    enabled: boolean;
    icon_url?: string;
    labels?: MarketplaceLabel[];
}

// The ID of the app built into the plugin (apps/manifest.go BuiltinAppID).
export const BuiltinAppID = 'apps';

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// normalizeCall accepts either JSON form of a Call (Go's Call.UnmarshalJSON).
export function normalizeCall(c: unknown): Call | undefined {
    if (typeof c === 'string') {
        return {path: c};
    }
    if (isObject(c)) {
        return c as Call;
    }
    return undefined;
}

// normalizeForm accepts either JSON form of a Form (Go's Form.UnmarshalJSON)
// and normalizes the calls inside it.
export function normalizeForm(f: unknown): Form | undefined {
    if (typeof f === 'string') {
        return {source: {path: f}};
    }
    if (!isObject(f)) {
        return undefined;
    }
    const form = {...f} as Form;
    form.source = normalizeCall(f.source);
    form.submit = normalizeCall(f.submit);
    if (!form.source) {
        delete form.source;
    }
    if (!form.submit) {
        delete form.submit;
    }
    if (Array.isArray(f.fields)) {
        form.fields = (f.fields as unknown[]).filter(isObject).map((field) => {
            const out = {...field} as unknown as Field;
            const lookup = normalizeCall(field.lookup);
            if (lookup) {
                out.lookup = lookup;
            } else {
                delete out.lookup;
            }
            if (!out.type) {
                out.type = 'text';
            }
            return out;
        });
    }
    return form;
}

// normalizeBinding normalizes the calls and forms of b and its sub-bindings.
export function normalizeBinding(b: unknown): Binding | undefined {
    if (!isObject(b)) {
        return undefined;
    }
    const out = {...b} as Binding;
    const submit = normalizeCall(b.submit);
    const form = normalizeForm(b.form);
    if (submit) {
        out.submit = submit;
    } else {
        delete out.submit;
    }
    if (form) {
        out.form = form;
    } else {
        delete out.form;
    }
    if (Array.isArray(b.bindings)) {
        out.bindings = b.bindings.map(normalizeBinding).filter((x): x is Binding => Boolean(x));
    }
    return out;
}

// normalizeCallResponse accepts v1 and v0.x responses (Go's
// CallResponse.UnmarshalJSON: "markdown" and "error" fill "text"; the type
// defaults to ok).
export function normalizeCallResponse(r: unknown): ProxyCallResponse {
    if (!isObject(r)) {
        return {type: 'ok'};
    }
    const out = {...r} as unknown as ProxyCallResponse & {markdown?: string; error?: string};
    if (!out.type) {
        out.type = 'ok';
    }
    if (!out.text) {
        if (out.type === 'error' && typeof out.error === 'string') {
            out.text = out.error;
        } else if (typeof out.markdown === 'string') {
            out.text = out.markdown;
        }
    }
    delete out.markdown;
    delete out.error;
    const call = normalizeCall(r.call);
    if (call) {
        out.call = call;
    }
    const form = normalizeForm(r.form);
    if (form) {
        out.form = form;
    }
    return out;
}
