'use strict';

// Builds the plugin's web app bundle: webapp/dist/main.js, a single classic
// script (IIFE) that the Mattermost web client injects with a <script> tag and
// that calls window.registerPlugin(PLUGIN_ID, new Plugin()).
//
// Env:
//   PLUGIN_ID       plugin id to register with (default com.mattermost.apps);
//                   must equal the server manifest id.
//   PLUGIN_VERSION  version string baked into the bundle (default 0.0.0-dev).
//   NODE_ENV        "development" builds unminified with inline source maps
//                   (same as `webpack --mode=development`).

const path = require('path');
const webpack = require('webpack');

const PLUGIN_ID = process.env.PLUGIN_ID || 'com.mattermost.apps';
const PLUGIN_VERSION = process.env.PLUGIN_VERSION || '0.0.0-dev';

module.exports = (env, argv) => {
    const mode = argv.mode || (process.env.NODE_ENV === 'development' ? 'development' : 'production');
    const isDev = mode === 'development';

    return {
        mode,
        target: ['web', 'es2020'],
        entry: path.resolve(__dirname, 'src/index.tsx'),
        output: {
            path: path.resolve(__dirname, 'dist'),
            filename: 'main.js',
            iife: true,
            clean: true,
        },
        resolve: {
            extensions: ['.ts', '.tsx', '.js', '.jsx'],
        },
        module: {
            rules: [
                {
                    test: /\.tsx?$/,
                    exclude: /node_modules/,
                    use: {
                        loader: 'ts-loader',
                        // Type checking is done by `npm run check` (tsc --noEmit).
                        options: {transpileOnly: true},
                    },
                },
            ],
        },
        // Libraries the Mattermost web app exposes as window globals.
        externalsType: 'window',
        externals: {
            react: 'React',
            'react-dom': 'ReactDOM',
            redux: 'Redux',
            'react-redux': 'ReactRedux',
            'prop-types': 'PropTypes',
            'react-intl': 'ReactIntl',
        },
        plugins: [
            new webpack.DefinePlugin({
                PLUGIN_ID: JSON.stringify(PLUGIN_ID),
                PLUGIN_VERSION: JSON.stringify(PLUGIN_VERSION),
                'process.env.NODE_ENV': JSON.stringify(mode),
            }),
        ],
        optimization: {
            // One self-contained script: no runtime chunk, no split chunks.
            runtimeChunk: false,
            splitChunks: false,
            minimize: !isDev,
        },
        devtool: isDev ? 'inline-source-map' : false,
        performance: {hints: false},
    };
};
