'use strict';

/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: 'jsdom',
    roots: ['<rootDir>/src'],
    transform: {
        // tsconfig has isolatedModules, so ts-jest only transpiles (fast);
        // type checking is `npm run check`.
        '^.+\\.tsx?$': ['ts-jest', {}],
    },
    moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json'],
    setupFilesAfterEnv: ['<rootDir>/src/testing/setup.ts'],
    // Stand-ins for webpack's DefinePlugin constants.
    globals: {
        PLUGIN_ID: 'com.mattermost.apps',
        PLUGIN_VERSION: '0.0.0-test',
    },
    clearMocks: true,
};
