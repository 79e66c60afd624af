/* A Mattermost-like host page for the plugin bundle: the web app's library
 * globals (React, ReactDOM, Redux, ReactRedux), a Redux store with the
 * mattermost-redux state shape, a plugin registry implementing the methods
 * the plugin uses (PLUGIN_PROTOCOL.md §7), and a small UI that renders what
 * gets registered: channel header buttons (or App Bar icons), the post "…"
 * menu with one submenu level, the main menu, and root components.
 *
 * Query parameters: theme=dark, core=1 (a 9.11 server with the core Apps UI
 * on), appbar=1 (the App Bar is enabled).
 *
 * window.__harness: {store, pluginId, ready, emitWebSocket(event, data),
 * reconnect(), setTheme(name), registeredId}.
 */
(function () {
    'use strict';

    var h = React.createElement;
    var cfg = window.__E2E_CONFIG;
    var params = new URLSearchParams(window.location.search);
    var core = params.get('core') === '1';
    var appBar = params.get('appbar') === '1';

    function setTheme(name) {
        document.documentElement.setAttribute('data-theme', name === 'dark' ? 'dark' : 'light');
    }
    setTheme(params.get('theme') || 'light');

    // ---- Redux store (mattermost-redux shape) ----
    var profiles = {};
    cfg.users.forEach(function (u) {
        profiles[u.id] = Object.assign({locale: 'en', last_picture_update: 0}, u);
    });
    var channels = {};
    cfg.channels.forEach(function (c) {
        channels[c.id] = c;
    });
    if (!channels[cfg.channelId]) {
        channels[cfg.channelId] = {id: cfg.channelId, team_id: cfg.teamId, name: 'test-channel', display_name: 'Test Channel', type: 'O'};
    }

    var posts = {};
    (cfg.posts || []).forEach(function (p) {
        posts[p.id] = p;
    });

    var config = {
        SiteURL: window.location.origin,
        Version: core ? '9.11.0' : '10.5.0',
        BuildNumber: 'e2e',
        FeatureFlagAppsEnabled: core ? 'true' : 'false',
        DisableAppBar: appBar ? 'false' : 'true',
        DefaultClientLocale: 'en',
    };
    var initial = {
        entities: {
            general: {config: config, license: {}},
            users: {currentUserId: cfg.userId, profiles: profiles},
            teams: {currentTeamId: cfg.teamId, teams: {}},
            channels: {currentChannelId: cfg.channelId, channels: channels},
            posts: {posts: posts},
        },
    };
    if (core) {
        initial.entities.apps = {main: {bindings: [], forms: {}}, rhs: {bindings: [], forms: {}}, pluginEnabled: true};
    }

    var pluginReducers = {};
    function rootReducer(state, action) {
        var s = state;
        if (action.type === 'SELECT_CHANNEL') {
            var e = s.entities;
            s = Object.assign({}, s, {entities: Object.assign({}, e, {channels: Object.assign({}, e.channels, {currentChannelId: action.channelId})})});
        }
        Object.keys(pluginReducers).forEach(function (key) {
            var next = pluginReducers[key](s[key], action);
            if (next !== s[key]) {
                var copy = Object.assign({}, s);
                copy[key] = next;
                s = copy;
            }
        });
        return s;
    }
    var store = Redux.createStore(rootReducer, initial);

    // ---- Registry ----
    var components = {
        version: 0,
        root: [],
        channelHeader: [],
        appBar: [],
        postMenu: [],
        mainMenu: [],
    };
    var listeners = [];
    function changed() {
        components = Object.assign({}, components, {version: components.version + 1});
        listeners.forEach(function (l) {
            l();
        });
    }
    var nextId = 1;
    function newId() {
        return 'cmp-' + (nextId++);
    }
    var wsHandlers = {};
    var reconnectHandler = null;

    function makeRegistry(pluginId) {
        return {
            registerRootComponent: function (component) {
                var id = newId();
                components.root = components.root.concat([{id: id, component: component}]);
                changed();
                return id;
            },
            registerChannelHeaderButtonAction: function (icon, action, dropdownText, tooltipText) {
                var id = newId();
                components.channelHeader = components.channelHeader.concat([{id: id, icon: icon, action: action, dropdownText: dropdownText, tooltipText: tooltipText}]);
                changed();
                return id;
            },
            registerAppBarComponent: function (iconUrl, action, tooltipText) {
                var id = newId();
                components.appBar = components.appBar.concat([{id: id, iconUrl: iconUrl, action: action, tooltipText: tooltipText}]);
                changed();
                return id;
            },
            registerPostDropdownMenuAction: function (text, action, filter) {
                var id = newId();
                components.postMenu = components.postMenu.concat([{id: id, text: text, action: action, filter: filter, subMenu: []}]);
                changed();
                return id;
            },
            registerPostDropdownSubMenuAction: function (text, action, filter) {
                var id = newId();
                var item = {id: id, text: text, action: action, filter: filter, subMenu: []};
                components.postMenu = components.postMenu.concat([item]);
                changed();
                return {
                    id: id,
                    rootRegisterMenuItem: function (t, a, f) {
                        item.subMenu.push({id: newId(), text: t, action: a, filter: f});
                        changed();
                    },
                };
            },
            registerMainMenuAction: function (text, action, mobileIcon) {
                var id = newId();
                components.mainMenu = components.mainMenu.concat([{id: id, text: text, action: action, mobileIcon: mobileIcon}]);
                changed();
                return id;
            },
            registerWebSocketEventHandler: function (event, handler) {
                wsHandlers[event] = handler;
            },
            unregisterWebSocketEventHandler: function (event) {
                delete wsHandlers[event];
            },
            registerReconnectHandler: function (handler) {
                reconnectHandler = handler;
            },
            unregisterReconnectHandler: function () {
                reconnectHandler = null;
            },
            registerReducer: function (reducer) {
                pluginReducers['plugins-' + pluginId] = reducer;
                store.dispatch({type: '@@harness/REDUCER_REGISTERED'});
            },
            unregisterComponent: function (id) {
                ['root', 'channelHeader', 'appBar', 'postMenu', 'mainMenu'].forEach(function (k) {
                    components[k] = components[k].filter(function (c) {
                        return c.id !== id;
                    });
                });
                changed();
            },
        };
    }

    // ---- UI ----
    function useComponents() {
        return React.useSyncExternalStore(function (l) {
            listeners.push(l);
            return function () {
                listeners = listeners.filter(function (x) {
                    return x !== l;
                });
            };
        }, function () {
            return components;
        });
    }

    function Menu(props) {
        var st = React.useState(false);
        var open = st[0];
        var setOpen = st[1];
        return h('div', {className: 'menu'},
            h('button', {
                type: 'button',
                'aria-label': props.label,
                'aria-expanded': open,
                className: props.buttonClass,
                onClick: function () {
                    setOpen(!open);
                },
            }, props.buttonText),
            open ? h('ul', {className: 'dropdown', role: 'menu'}, props.items.map(function (item) {
                return h('li', {key: item.id, role: 'none'},
                    h('button', {
                        type: 'button',
                        role: 'menuitem',
                        onClick: function () {
                            setOpen(false);
                            if (item.action) {
                                item.action();
                            }
                        },
                    }, item.text),
                    item.subMenu && item.subMenu.length ? h('ul', {className: 'sub', role: 'menu'}, item.subMenu.map(function (sub) {
                        return h('li', {key: sub.id, role: 'none'}, h('button', {
                            type: 'button',
                            role: 'menuitem',
                            onClick: function () {
                                setOpen(false);
                                sub.action();
                            },
                        }, sub.text));
                    })) : null);
            })) : null);
    }

    function Shell() {
        var c = useComponents();
        var channelId = ReactRedux.useSelector(function (s) {
            return s.entities.channels.currentChannelId;
        });
        var channel = channels[channelId];
        var posts = ReactRedux.useSelector(function (s) {
            return s.entities.posts.posts;
        });
        var channelPosts = Object.keys(posts).map(function (k) {
            return posts[k];
        }).filter(function (p) {
            return p.channel_id === channelId;
        });

        return h('div', {className: 'shell'},
            h('nav', {className: 'sidebar', 'aria-label': 'Channels'},
                h('h1', null, 'E2E Team'),
                h(Menu, {
                    label: 'Main menu',
                    buttonText: 'Main menu ▾',
                    items: c.mainMenu.map(function (m) {
                        return {id: m.id, text: m.text, action: m.action};
                    }),
                }),
                Object.keys(channels).map(function (id) {
                    return h('button', {
                        key: id,
                        type: 'button',
                        'aria-current': id === channelId ? 'true' : 'false',
                        onClick: function () {
                            store.dispatch({type: 'SELECT_CHANNEL', channelId: id});
                        },
                    }, '# ' + channels[id].display_name);
                })),
            h('main', {className: 'center'},
                h('header', {className: 'header'},
                    h('h2', null, channel ? channel.display_name : channelId),
                    c.channelHeader.map(function (b) {
                        return h('button', {
                            key: b.id,
                            type: 'button',
                            className: 'header-button',
                            'aria-label': typeof b.tooltipText === 'string' ? b.tooltipText : b.dropdownText,
                            title: typeof b.tooltipText === 'string' ? b.tooltipText : undefined,
                            onClick: function () {
                                b.action(channel, {channel_id: channelId, user_id: cfg.userId});
                            },
                        }, b.icon);
                    })),
                h('section', {className: 'posts', 'aria-label': 'Posts'},
                    channelPosts.map(function (p) {
                        var items = c.postMenu.filter(function (m) {
                            return !m.filter || m.filter(p.id);
                        }).map(function (m) {
                            return {
                                id: m.id,
                                text: m.text,
                                action: m.subMenu.length ? null : function () {
                                    m.action(p.id);
                                },
                                subMenu: m.subMenu.filter(function (s) {
                                    return !s.filter || s.filter(p.id);
                                }).map(function (s) {
                                    return {id: s.id, text: s.text, action: function () {
                                        s.action(p.id);
                                    }};
                                }),
                            };
                        });
                        return h('article', {key: p.id, className: 'post', 'data-post-id': p.id},
                            h('div', null,
                                h('div', {className: 'author'}, (profiles[p.user_id] || {}).username || p.user_id),
                                h('div', null, p.message)),
                            h(Menu, {label: 'Post actions', buttonText: '…', buttonClass: 'header-button', items: items}));
                    })),
                h('div', {className: 'textbox'}, 'Write to ' + (channel ? channel.display_name : '') + '…')),
            c.appBar.length ? h('aside', {className: 'app-bar', 'aria-label': 'App Bar'}, c.appBar.map(function (a) {
                return h('button', {
                    key: a.id,
                    type: 'button',
                    className: 'header-button',
                    'aria-label': a.tooltipText,
                    onClick: function () {
                        a.action(channel, {channel_id: channelId});
                    },
                }, h('img', {src: a.iconUrl, alt: ''}));
            })) : null,
            c.root.map(function (r) {
                return h(r.component, {key: r.id});
            }));
    }

    ReactDOM.createRoot(document.getElementById('root')).render(
        h(ReactRedux.Provider, {store: store}, h(Shell)),
    );

    // ---- Load the plugin as the web app does ----
    var harness = {
        store: store,
        pluginId: cfg.pluginId,
        registeredId: null,
        setTheme: setTheme,
        emitWebSocket: function (event, data) {
            var handler = wsHandlers[event];
            if (handler) {
                handler({event: event, data: data || {}, broadcast: {user_id: cfg.userId}, seq: 1});
                return true;
            }
            return false;
        },
        reconnect: function () {
            if (reconnectHandler) {
                reconnectHandler();
            }
        },
        wsEvents: function () {
            return Object.keys(wsHandlers);
        },
    };
    window.__harness = harness;

    harness.ready = new Promise(function (resolve, reject) {
        window.registerPlugin = function (id, plugin) {
            harness.registeredId = id;
            if (id !== cfg.pluginId) {
                reject(new Error('bundle registered as ' + id + ', expected ' + cfg.pluginId));
                return;
            }
            Promise.resolve(plugin.initialize(makeRegistry(id), store)).then(function () {
                resolve(id);
            }, reject);
        };
        var script = document.createElement('script');
        script.id = 'plugin_' + cfg.pluginId;
        script.src = '/static/plugins/main.js';
        script.defer = true;
        script.onerror = function () {
            reject(new Error('main.js failed to load'));
        };
        document.body.appendChild(script);
    });
}());
